import { statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { z } from 'zod';
import { duration } from '../core/duration.js';
import { fileName } from '../config/fileName.js';
import { inspectInputFile } from '../config/inputFile.js';
import { parseAt } from '../config/zodIssues.js';
import { YamlFile } from '../config/YamlFile.js';
import { ConfigError, type ConfigIssue, type SourceLocation } from '../core/errors.js';
import { Project } from '../config/Project.js';
import { planRun } from '../run/Run.js';

/** A patch larger than this is not a mutant someone wrote by hand. */
const MAX_PATCH_BYTES = 1024 * 1024;
const DEFAULT_BUILD_TIMEOUT_MS = 5 * 60_000;

const schema = z.strictObject({
  build: z.strictObject({
    dir: z.string().min(1),
    command: z.string().min(1),
    output: z.string().min(1),
    image: fileName,
    timeout: duration.optional(),
  }),
  rig: z.string().min(1).optional(),
  scenarios: z
    .array(
      z.union([
        z.string().min(1),
        z.strictObject({
          scenario: z.string().min(1),
          params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
          images: z.record(z.string(), z.string().min(1)).optional(),
        }),
      ]),
    )
    .min(1),
  mutants: z.array(z.strictObject({ name: fileName, patch: z.string().min(1).optional(), flags: z.string().min(1).optional() })).min(1),
});

export interface TeethScenario {
  /** A scenario name or path, as `hil run` takes it. */
  ref: string;
  /** `--param` values fixed for this scenario (one cut point instead of the scenario's sweep, say). */
  params: Record<string, string>;
  /** `--image NAME=PATH[@REGION]` for this scenario (slot-filling images, say); paths absolute. */
  images: Record<string, string>;
  /** What the table adds to a case id of this scenario: the files of `images`. */
  suffix: string;
  /** What the table calls it: the name, with its fixed params and images. */
  label: string;
}

export interface Mutant {
  name: string;
  /** Absolute path of a `patch -p1` patch against the build folder. */
  patch?: string;
  /** Where the teeth file names the patch, for a patch that does not apply. */
  patchAt?: SourceLocation;
  /** Appended to the build command (make variables, -D flags). */
  flags?: string;
}

export interface TeethSpec {
  file: string;
  /** `commandAt`: where the file gives the command, for a recipe that does not build. */
  build: { dir: string; command: string; commandAt: SourceLocation; output: string; image: string; timeoutMs: number };
  rig?: string;
  scenarios: TeethScenario[];
  mutants: Mutant[];
}

/**
 * Reads a teeth file: how to build the firmware, which scenarios must catch a bug, and the bugs (patches to the
 * build folder, or build flags). Paths are relative to the file. Every scenario is planned once here, so a name
 * or a param that would only fail half-way through the mutants is refused before anything is built.
 */
export function loadTeethFile(file: string, cwd: string = process.cwd()): TeethSpec {
  const yaml = YamlFile.read(resolve(cwd, file), cwd);
  const issues: ConfigIssue[] = [];
  const data = parseAt(yaml, [], schema, yaml.data, issues);
  if (!data) throw new ConfigError(issues);
  const base = dirname(yaml.file);

  const dir = resolve(base, data.build.dir);
  if (!isDirectory(dir)) issues.push(yaml.issue(['build', 'dir'], `${data.build.dir}: no such folder`));

  const seen = new Set<string>();
  const mutants = data.mutants.map((m, i): Mutant => {
    if (m.name === 'good') issues.push(yaml.issue(['mutants', i, 'name'], '"good" is the unmutated build; give the mutant another name'));
    if (seen.has(m.name)) issues.push(yaml.issue(['mutants', i, 'name'], `a second mutant named "${m.name}"`));
    seen.add(m.name);
    if (m.patch === undefined && m.flags === undefined) issues.push(yaml.issue(['mutants', i], 'a mutant needs a patch:, flags: or both'));
    if (m.patch === undefined) return { name: m.name, flags: m.flags };
    const patch = resolve(base, m.patch);
    try {
      inspectInputFile(patch, { maxBytes: MAX_PATCH_BYTES, at: yaml.issue(['mutants', i, 'patch'], '') });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push(...error.issues.map((issue) => ({ ...issue, message: issue.message.replace(patch, m.patch!) })));
    }
    const { message: _, ...patchAt } = yaml.issue(['mutants', i, 'patch'], '');
    return { name: m.name, patch, patchAt, flags: m.flags };
  });

  const project = new Project(cwd);
  const scenarios = data.scenarios.map((entry, i): TeethScenario => {
    const ref = typeof entry === 'string' ? entry : entry.scenario;
    const params = typeof entry === 'string' ? {} : Object.fromEntries(Object.entries(entry.params ?? {}).map(([k, v]) => [k, String(v)]));
    const at = typeof entry === 'string' ? ['scenarios', i] : ['scenarios', i, 'scenario'];
    const images = Object.fromEntries(
      Object.entries(typeof entry === 'string' ? {} : (entry.images ?? {})).map(([name, path]) => {
        const region = path.lastIndexOf('@');
        return [name, region > 0 ? `${resolve(base, path.slice(0, region))}${path.slice(region)}` : resolve(base, path)];
      }),
    );
    try {
      planRun({ scenarios: [project.resolve('scenarios', ref)], rig: data.rig, overrides: params, images, cwd });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      // The scenario's own file names its own problems; a name or a param of this file is pointed at here.
      for (const issue of error.issues) {
        if (issue.field === '--image') issues.push(yaml.issue(['scenarios', i, 'images'], issue.message.replaceAll(`${base}/`, '')));
        else if (issue.message.startsWith('--param '))
          issues.push(yaml.issue(['scenarios', i, 'params'], issue.message.slice('--param '.length)));
        else if (issue.file === ref || issue.file === 'command line') issues.push(yaml.issue(at, issue.message));
        else issues.push(issue);
      }
    }
    const fixed = Object.entries(params).map(([k, v]) => `${k}=${v}`);
    const files = [...new Set(Object.values(images).map((path) => basename(path.replace(/@[^/]*$/, ''))))];
    const suffix = files.length ? ` with ${files.join(', ')}` : '';
    return { ref, params, images, suffix, label: `${fixed.length ? `${ref}[${fixed.join(',')}]` : ref}${suffix}` };
  });

  if (issues.length) throw new ConfigError(issues);
  const { message: _, ...commandAt } = yaml.issue(['build', 'command'], '');
  return {
    file: yaml.displayName,
    build: {
      dir,
      command: data.build.command,
      commandAt,
      output: data.build.output,
      image: data.build.image,
      timeoutMs: data.build.timeout ?? DEFAULT_BUILD_TIMEOUT_MS,
    },
    rig: data.rig,
    scenarios,
    mutants,
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
