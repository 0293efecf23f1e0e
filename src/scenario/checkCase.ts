import { dirname, resolve } from 'node:path';
import { inspectInputFile } from '../config/inputFile.js';
import type { RigSpec } from '../rig/RigSpec.js';
import { stepIssues, type Scenario, type ScenarioStep } from './Scenario.js';
import { suggestion } from '../core/didYouMean.js';
import { substitute } from '../config/params.js';
import { ConfigError, type ConfigIssue } from '../core/errors.js';
import { imageFileProblem } from '../flash/imagePlacement.js';
import type { CaseSpec } from './cases.js';
import { codeIssues } from './codeIssues.js';

/** Enough to fix a typo by; a sweep of 10,000 bad points need not list them all. */
const MAX_ISSUES = 20;

/**
 * Every value of every case, checked before a lease is taken: a `--param`, a `--case` or a sweep point that
 * makes a step invalid, or names a state, pattern, output, image or region that does not exist, is the user's
 * typo (ConfigError, exit 2), never a rig touched or a rig error counted towards quarantine.
 */
export function checkCases(scenario: Scenario, rig: RigSpec, cases: Iterable<CaseSpec>): void {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  const reported = new Set<string>();
  const references = { yaml: scenario.yaml, states: scenario.states, patterns: scenario.expect.patterns };
  for (const spec of cases) {
    for (const step of scenario.steps) {
      // Most cases share most steps' arguments: each distinct step is checked once.
      const key = `${step.index}\0${JSON.stringify(substitute(step.raw, spec.params))}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const found = stepIssues(references, step, spec.params);
      if (!found.length) found.push(...rigIssues(scenario, rig, step, spec.params));
      for (const issue of found) {
        // The same problem in every point of a sweep (a cut's symbol, whatever its hit) is one message.
        const same = JSON.stringify(issue);
        if (reported.has(same)) continue;
        reported.add(same);
        issues.push({ ...issue, message: `${issue.message} (case ${spec.id})` });
      }
    }
    if (issues.length >= MAX_ISSUES) break;
  }
  if (issues.length) throw new ConfigError(issues.slice(0, MAX_ISSUES));
}

/** The rig's outputs, images and layout regions a step names: each must be on this rig. */
function rigIssues(scenario: Scenario, rig: RigSpec, step: ScenarioStep, params: Record<string, string>): ConfigIssue[] {
  const refs = step.definition.references?.(step.definition.schema.parse(substitute(step.raw, params)));
  if (!refs) return [];
  const issues: ConfigIssue[] = [];
  const check = (what: string, names: string[] | undefined, has: string[]) => {
    for (const name of names ?? []) {
      if (has.includes(name)) continue;
      const message = `rig ${rig.name} has no ${what} "${name}"${suggestion(name, has)}; its ${what}s: ${has.join(', ') || 'none'}`;
      issues.push(scenario.yaml.issue(['steps', step.index, step.key], message));
    }
  };
  check('output', refs.outputs, Object.keys(rig.outputs));
  check('image', refs.images, Object.keys(rig.images));
  check('region', refs.regions, Object.keys(rig.regions));
  // What the step will read must be there and be a file now, not when the rig is already leased and powered.
  for (const name of refs.images ?? []) {
    const image = rig.images[name];
    const problem = image && imageFileProblem(image.path, image.address, image.region);
    if (problem)
      issues.push(scenario.yaml.issue(['steps', step.index, step.key], `image ${name} of rig ${rig.name}: ${image.path}: ${problem}`));
  }
  for (const file of refs.files ?? []) {
    try {
      inspectInputFile(resolve(dirname(scenario.file), file), { maxBytes: Number.MAX_SAFE_INTEGER });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues.push(scenario.yaml.issue(['steps', step.index, step.key], `${file}: ${err.issues[0]!.message}`));
    }
  }
  if (refs.code?.length && !issues.length) issues.push(...codeIssues(scenario, rig, step, refs.code));
  return issues;
}
