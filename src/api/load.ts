import { configKind } from '../config/configKind.js';
import { readInputText } from '../config/inputFile.js';
import { MAX_BYTES } from '../config/YamlFile.js';
import { Project } from '../config/Project.js';
import { ConfigError, type ConfigIssue } from '../core/errors.js';
import type { ExpectationSpec } from '../expect/ExpectationModel.js';
import { loadRig as loadRigFile, type RigSpec } from '../rig/RigSpec.js';
import { loadModelFile } from '../scenario/modelFile.js';
import { loadScenario as loadScenarioFile, type Scenario } from '../scenario/Scenario.js';

export interface LoadOptions {
  /** Where names are looked up (the nearest folder up with rigs/ or scenarios/, then hil's own) and paths resolved from; default: process.cwd(). */
  cwd?: string;
}

/** A rig by name (`virtual`, looked up as `hil run --rig` does) or path, loaded and checked; throws ConfigError. */
export function loadRig(ref: string, options: LoadOptions = {}): RigSpec {
  return loadRigFile(new Project(options.cwd).resolve('rigs', ref), options.cwd);
}

/** A scenario by name (`rollback-powerfail`) or path, loaded and checked; throws ConfigError. */
export function loadScenario(ref: string, options: LoadOptions = {}): Scenario {
  return loadScenarioFile(new Project(options.cwd).resolve('scenarios', ref), options.cwd);
}

/**
 * An expectation model: a scenario's (by name or path) or a model file's (`patterns`, `forbidden` and `model` at
 * its top level, as in a scenario's `expect:`).
 */
export function loadModel(ref: string, options: LoadOptions = {}): ExpectationSpec {
  const file = new Project(options.cwd).resolve('scenarios', ref);
  const scenario = /^steps\s*:/m.test(readInputText(file, { maxBytes: MAX_BYTES }));
  return scenario ? loadScenarioFile(file, options.cwd).expect : loadModelFile(file, options.cwd);
}

export interface Validation {
  file: string;
  kind: 'rig' | 'scenario';
  /** Empty when the file is valid; each names file, line, column and field. */
  issues: ConfigIssue[];
}

/** Checks rig and scenario files as `hil validate` does (every rig and scenario of the project with none given). */
export function validate(files: string[] = [], options: LoadOptions = {}): Validation[] {
  const project = new Project(options.cwd);
  const targets = files.length
    ? files.map((file) => ({ file, kind: configKind(file) }))
    : [
        ...project.list('rigs').map((r) => ({ file: r.file, kind: 'rig' as const })),
        ...project.list('scenarios').map((s) => ({ file: s.file, kind: 'scenario' as const })),
      ];
  return targets.map(({ file, kind }) => {
    try {
      if (kind === 'rig') loadRigFile(file, options.cwd);
      else loadScenarioFile(file, options.cwd);
      return { file, kind, issues: [] };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return { file, kind, issues: error.issues };
    }
  });
}
