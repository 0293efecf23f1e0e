import { resolve } from 'node:path';
import type { RigSpec } from '../rig/RigSpec.js';
import type { z } from 'zod';
import { stepArgs, type Scenario } from '../scenario/Scenario.js';
import { flashStep, tamperedImage } from '../steps/FlashStep.js';
import type { CaseSpec } from '../scenario/cases.js';
import { suggestion } from '../core/didYouMean.js';
import { ConfigError, type ConfigIssue } from '../core/errors.js';
import { imageFileProblem, regionOf } from '../flash/imagePlacement.js';

/** Where an image goes: `REGION` of the rig's layout or an address `0x...`; a string says what is wrong. */
function placement(rig: RigSpec, where: string): number | string {
  if (/^(0x[0-9a-f]+|\d+)$/i.test(where)) return Number(where);
  const region = rig.regions[where];
  if (!region)
    return `rig ${rig.name} has no region "${where}"${suggestion(where, Object.keys(rig.regions))}; its regions: ${Object.keys(rig.regions).join(', ')}`;
  return region.address;
}

/**
 * `--image NAME=PATH` flashes another file for one of the rig's images (a faulty bootloader variant, a
 * candidate); `--image NAME=PATH@REGION` (or `@0xADDRESS`) adds an image, or moves one.
 */
export function withImages(rig: RigSpec, images: Record<string, string>, cwd: string = process.cwd()): RigSpec {
  if (!Object.keys(images).length) return rig;
  const merged = { ...rig.images };
  for (const [name, spec] of Object.entries(images)) {
    const fail = (message: string) => new ConfigError({ file: 'command line', field: '--image', message: `${name}=${spec}: ${message}` });
    const at = spec.lastIndexOf('@');
    const path = at > 0 ? spec.slice(0, at) : spec;
    const image = merged[name];
    if (!image && at <= 0) {
      throw fail(
        `rig ${rig.name} has no image "${name}"${suggestion(name, Object.keys(merged))}; its images: ${Object.keys(merged).join(', ')} (add one with ${name}=PATH@REGION)`,
      );
    }
    const file = resolve(cwd, path);
    const address = at > 0 ? placement(rig, spec.slice(at + 1)) : image!.address;
    if (typeof address === 'string') throw fail(address);
    const region = at > 0 ? regionOf({ address }, rig.regions) : image!.region;
    const problem = imageFileProblem(file, address, region);
    if (problem) throw fail(`${problem}; nothing was flashed`);
    merged[name] = { path: file, address, ...(region ? { region } : {}), overriddenBy: '--image' };
  }
  return { ...rig, images: merged };
}

/** The scenario's own `images:` on top of the rig's: a region is looked up in the rig the case runs on. */
export function withScenarioImages(rig: RigSpec, scenario: Scenario): RigSpec {
  const entries = Object.entries(scenario.images);
  if (!entries.length) return rig;
  const issues: ConfigIssue[] = [];
  const merged = { ...rig.images };
  for (const [name, image] of entries) {
    const address = image.address ?? (image.region === undefined ? rig.images[name]?.address : placement(rig, image.region));
    if (typeof address === 'string') {
      issues.push(scenario.yaml.issue(['images', name, 'region'], address));
      continue;
    }
    const region =
      image.region === undefined && image.address === undefined
        ? rig.images[name]?.region
        : regionOf({ address, region: image.region }, rig.regions);
    const problem = imageFileProblem(image.path, address, region);
    if (problem) issues.push(scenario.yaml.issue(['images', name, 'path'], `${image.path}: ${problem}`));
    else merged[name] = { path: image.path, address, ...(region ? { region } : {}), overriddenBy: 'scenario' };
  }
  if (issues.length) throw new ConfigError(issues);
  return { ...rig, images: merged };
}

/**
 * Every image a case's flash steps name exists, and every tampered one can be made: a mistake is the scenario
 * file's, reported at its line before any rig is touched.
 */
export function checkFlashImages(scenario: Scenario, rig: RigSpec, cases: readonly CaseSpec[]): void {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const step of scenario.steps.filter((s) => s.definition === flashStep)) {
    for (const spec of cases) {
      const args = stepArgs(scenario, step, spec.params) as z.output<typeof flashStep.schema>;
      for (const item of args.images) {
        const key = JSON.stringify([step.index, item]);
        if (seen.has(key)) continue;
        seen.add(key);
        const where = ['steps', step.index, 'flash'];
        if (!rig.images[item.image]) {
          issues.push(
            scenario.yaml.issue(where, `rig ${rig.name} has no image "${item.image}"${suggestion(item.image, Object.keys(rig.images))}`),
          );
          continue;
        }
        if (!item.tamper) continue;
        try {
          tamperedImage(item, item.tamper, rig);
        } catch (err) {
          issues.push(scenario.yaml.issue(where, `${item.image}, tamper ${item.tamper}: ${(err as Error).message}`));
        }
      }
    }
  }
  if (issues.length) throw new ConfigError(issues);
}
