import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
import { fileName, nameOf } from '../config/fileName.js';
import { partDrivers, type PartDrivers } from './partDrivers.js';
import { ConfigError, type ConfigIssue } from '../core/errors.js';
import type { RigImage } from './RigHandles.js';
import { Project } from '../config/Project.js';
import { suggestion } from '../core/didYouMean.js';
import { checkLayout, layoutSchema, resolveRegions } from '../flash/layoutRules.js';
import { imageFileProblem, regionOf } from '../flash/imagePlacement.js';
import { qemuBoardSchema, type QemuBoardOptions } from '../virtual/QemuBoardOptions.js';
import { QEMU_RESOURCE } from '../virtual/qemuBoardFor.js';
import { qemuInputs } from '../virtual/qemuInputs.js';
import { inspectInputFile } from '../config/inputFile.js';
import { parseAt } from '../config/zodIssues.js';
import { YamlFile, type FieldPath } from '../config/YamlFile.js';
import { imageSchema } from '../config/imageSchema.js';
import { flashOpsIssues, imageElfs } from './flashOpsIssues.js';

export interface DriverSpec {
  kind: string;
  options: Record<string, unknown>;
}

export interface RigSpec {
  name: string;
  description: string;
  labels: string[];
  /** A scenario that proves the station works end to end (a known-good image, a short script): `hil rig health` runs it. */
  health?: string;
  file: string;
  dir: string;
  yaml: YamlFile;
  console: DriverSpec;
  power: DriverSpec;
  probe?: DriverSpec;
  outputs: Record<string, DriverSpec>;
  images: Record<string, RigImage>;
  regions: Record<string, { address: number; size: number }>;
  /** Rig-wide resources shared by its drivers (the virtual board's QEMU settings). */
  resources: Record<string, unknown>;
}

export const rigFileSchema = z.strictObject({
  name: fileName.optional().describe("the rig's name, as --rig and a scenario's rigs.name give it; default: the file name"),
  description: z.string().default('').describe('one line for hil list'),
  labels: z.array(z.string()).default([]).describe('what the rig is: a scenario that names no rig runs on one with all its rigs.labels'),
  health: z.string().optional().describe('a scenario that proves the station works end to end: hil rig health runs it'),
  console: z.record(z.string(), z.unknown()).describe("the board's console: a console kind and its keys (below)"),
  power: z.record(z.string(), z.unknown()).describe("what switches the board's power: a power kind or an output kind (below)"),
  probe: z.record(z.string(), z.unknown()).optional().describe('the debug probe that flashes, reads and resets: a probe kind (below)'),
  outputs: z
    .record(z.string(), z.record(z.string(), z.unknown()))
    .default({})
    .describe('lines the rig drives (buttons, boot pins), by name: an output kind each (below)'),
  images: z.record(z.string(), imageSchema).default({}).describe('the files a scenario flashes, by name (below)'),
  layout: z.unknown().optional().describe('the flash devices and named regions (below)'),
  resources: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('rig-wide things its drivers share: `qemu`, the emulated board (below)'),
});

/** Rig-wide resources several drivers share, by their key under `resources:`. */
export const RESOURCE_SCHEMAS: Record<string, z.ZodType> = { [QEMU_RESOURCE]: qemuBoardSchema };

function driverSpec(
  yaml: YamlFile,
  path: FieldPath,
  block: Record<string, unknown>,
  registry: PartDrivers<unknown>,
  issues: ConfigIssue[],
): DriverSpec | undefined {
  const kind = block['kind'];
  if (typeof kind !== 'string') {
    issues.push(yaml.issue(path, `needs a kind: one of ${registry.kinds().join(', ')}`));
    return undefined;
  }
  const def = registry.get(kind);
  if (!def) {
    issues.push(
      yaml.issue(
        [...path, 'kind'],
        `unknown ${registry.role} kind "${kind}"${suggestion(kind, registry.kinds())}; known: ${registry.kinds().join(', ')}`,
      ),
    );
    return undefined;
  }
  const options = parseAt(yaml, path, def.schema, block, issues) as Record<string, unknown> | undefined;
  return options ? { kind, options } : undefined;
}

function outside(projectRoot: string, path: string): boolean {
  const rel = relative(projectRoot, path);
  return rel.startsWith('..') || isAbsolute(rel);
}

/**
 * Files QEMU reads (`kernel`, and `-bios`, `-device loader,file=`... in `args`): relative to the rig file, inside
 * the project, regular files. An absolute path may point anywhere: it is written out on purpose (Debian's
 * /usr/lib/u-boot/…), where a relative one leaving the project is a mistake or a trick.
 */
function qemuInputIssues(yaml: YamlFile, options: QemuBoardOptions, dir: string, projectRoot: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const input of qemuInputs(options)) {
    const at = ['resources', QEMU_RESOURCE, ...input.field];
    const path = resolve(dir, input.path);
    if (!isAbsolute(input.path) && outside(projectRoot, path)) {
      issues.push(
        yaml.issue(at, `${input.path} is outside the project (${projectRoot}); put the file in the project or give an absolute path`),
      );
      continue;
    }
    try {
      inspectInputFile(path, { maxBytes: Number.MAX_SAFE_INTEGER });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues.push(yaml.issue(at, `${input.path}: ${err.issues[0]!.message}`));
    }
  }
  return issues;
}

export function loadRig(file: string, cwd?: string): RigSpec {
  const yaml = YamlFile.read(file, cwd);
  const issues: ConfigIssue[] = [];
  const top = parseAt(yaml, [], rigFileSchema, yaml.data, issues);
  if (!top) throw new ConfigError(issues);
  const dir = dirname(resolve(file));
  const projectRoot = new Project(dir).root;

  const consoleSpec = driverSpec(yaml, ['console'], top.console, partDrivers.console, issues);
  const power = driverSpec(yaml, ['power'], top.power, partDrivers.power, issues);
  const probe = top.probe ? driverSpec(yaml, ['probe'], top.probe, partDrivers.probe, issues) : undefined;
  const outputs: Record<string, DriverSpec> = {};
  for (const [name, block] of Object.entries(top.outputs)) {
    const spec = driverSpec(yaml, ['outputs', name], block, partDrivers.output, issues);
    if (spec) outputs[name] = spec;
  }

  // Named flash regions with absolute addresses, for `flash: { erase: [...] }`, `inspect` and image placement.
  const regions: RigSpec['regions'] = {};
  const layout = top.layout === undefined ? undefined : parseAt(yaml, ['layout'], layoutSchema, top.layout, issues);
  if (layout) {
    for (const problem of checkLayout(layout)) issues.push(yaml.issue(problem.path, problem.message));
    for (const region of resolveRegions(layout)) regions[region.name] = { address: region.address, size: region.size };
  }

  const images = rigImages(yaml, top.images, regions, { dir, projectRoot }, issues);
  const qemu = checkResources(yaml, top.resources, { dir, projectRoot }, issues);
  if (qemu?.flashOps) issues.push(...flashOpsIssues(yaml, qemu.flashOps, imageElfs(images)));

  const named = nameOf(file, top.name);
  if (named.problem) issues.push(yaml.issue([], named.problem));
  if (issues.length) throw new ConfigError(issues);
  return {
    name: named.name,
    description: top.description,
    labels: top.labels,
    ...(top.health ? { health: top.health } : {}),
    file: yaml.file,
    dir,
    yaml,
    console: consoleSpec!,
    power: power!,
    probe,
    outputs,
    images,
    regions,
    resources: top.resources,
  };
}

type TopSpec = z.output<typeof rigFileSchema>;

/** Where the rig file is and the project it must stay inside. */
interface RigPlace {
  dir: string;
  projectRoot: string;
}

/** The rig's images with their paths resolved and their place in flash: an address, a layout region or both. */
function rigImages(
  yaml: YamlFile,
  entries: TopSpec['images'],
  regions: RigSpec['regions'],
  { dir, projectRoot }: RigPlace,
  issues: ConfigIssue[],
): Record<string, RigImage> {
  const images: Record<string, RigImage> = {};
  for (const [name, image] of Object.entries(entries)) {
    let addr = image.address;
    if (image.region) {
      const region = regions[image.region];
      if (!region)
        issues.push(yaml.issue(['images', name, 'region'], `no region "${image.region}"${suggestion(image.region, Object.keys(regions))}`));
      addr ??= region?.address;
    }
    const path = isAbsolute(image.path) ? image.path : resolve(dir, image.path);
    // A rig file is shared with the project; one that reaches outside it (/etc, someone's home) is refused.
    // A build elsewhere is flashed with `--image name=path` instead.
    const region = regionOf({ address: addr, region: image.region }, regions);
    if (outside(projectRoot, path)) {
      issues.push(
        yaml.issue(
          ['images', name, 'path'],
          `${image.path} is outside the project (${projectRoot}); put the file in the project or pass it with --image ${name}=PATH`,
        ),
      );
    } else {
      // Not built yet is fine here; a run that flashes it finds out.
      const problem = imageFileProblem(path, addr, region, { missingOk: true });
      if (problem) issues.push(yaml.issue(['images', name, 'path'], `${image.path}: ${problem}`));
    }
    images[name] = { path, address: addr, ...(region ? { region } : {}) };
  }
  return images;
}

/** Checks each resource; returns the emulated board's settings when the rig has valid ones. */
function checkResources(
  yaml: YamlFile,
  resources: TopSpec['resources'],
  { dir, projectRoot }: RigPlace,
  issues: ConfigIssue[],
): QemuBoardOptions | undefined {
  // Resources are parsed again by the drivers that share them; checking here gives the error a file position.
  let qemu: QemuBoardOptions | undefined;
  for (const [name, block] of Object.entries(resources)) {
    const schema = RESOURCE_SCHEMAS[name];
    if (!schema)
      issues.push(
        yaml.issue(['resources', name], `unknown resource "${name}"${suggestion(name, Object.keys(RESOURCE_SCHEMAS))}`, { key: true }),
      );
    else {
      const parsed = parseAt(yaml, ['resources', name], schema, block, issues);
      if (name === QEMU_RESOURCE && parsed) {
        qemu = parsed as QemuBoardOptions;
        issues.push(...qemuInputIssues(yaml, qemu, dir, projectRoot));
      }
    }
  }
  return qemu;
}
