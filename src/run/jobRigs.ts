import { loadRig, type RigSpec } from '../rig/RigSpec.js';
import { matchingRigs } from '../rig/rigMatch.js';
import type { Scenario } from '../scenario/Scenario.js';
import { ConfigError } from '../core/errors.js';
import { QEMU_RESOURCE } from '../virtual/qemuBoardFor.js';
import type { Project } from '../config/Project.js';

/** The rig one job runs its cases on; `instance` names its own copy of a virtual rig (`virtual#2`). */
export interface JobRig {
  rig: RigSpec;
  instance?: string;
}

export interface JobRigOptions {
  jobs: number;
  project: Project;
  cwd?: string;
  /** The scenario's rig was named (`--rig` or `rigs.name`) rather than matched by labels. */
  named: boolean;
  /** Applies `--image` overrides to every rig the jobs use. */
  withImages(rig: RigSpec): RigSpec;
}

/**
 * One rig per job. A virtual rig is copied: each copy is its own QEMU board with its own state folder
 * (`.hil/rigs/virtual#2/`: NV file, console links) and ports. Real boards cannot be copied: `--jobs N` takes
 * N different rig files that have all of the scenario's labels.
 */
export function jobRigs(scenario: Scenario, rig: RigSpec, options: JobRigOptions): JobRig[] {
  if (options.jobs <= 1) return [{ rig }];
  const fail = (message: string) => new ConfigError({ file: 'command line', field: '--jobs', message });
  const qemu = rig.resources[QEMU_RESOURCE];
  if (qemu !== undefined) {
    if (typeof qemu === 'object' && qemu !== null && 'stateDir' in qemu) {
      throw fail(
        `rig ${rig.name} sets resources.${QEMU_RESOURCE}.stateDir, so ${options.jobs} copies of it would share one NV file; remove stateDir to run it with --jobs`,
      );
    }
    return Array.from({ length: options.jobs }, (_, i) => (i === 0 ? { rig } : { rig, instance: `${rig.name}#${i + 1}` }));
  }
  if (options.named) {
    throw fail(
      `rig ${rig.name} is one board and --jobs ${options.jobs} needs ${options.jobs}: select rigs by labels (the scenario's rigs.labels) instead of naming one`,
    );
  }
  const want = scenario.rigs.labels;
  const matching: RigSpec[] = [rig];
  for (const spec of matchingRigs(options.project, want, (file) => loadRig(file, options.cwd))) {
    if (matching.length === options.jobs) break;
    if (spec.name !== rig.name) matching.push(options.withImages(spec));
  }
  if (matching.length < options.jobs) {
    throw fail(
      `--jobs ${options.jobs} needs ${options.jobs} rigs with the labels [${want.join(', ')}]; only ${matching.length} ${matching.length === 1 ? 'has' : 'have'} them: ${matching.map((r) => r.name).join(', ')}`,
    );
  }
  return matching.map((r) => ({ rig: r }));
}
