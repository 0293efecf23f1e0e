import { ConfigError, type ConfigIssue } from '../core/errors.js';
import { outputDirProblem, outputFileProblem } from '../core/outputDir.js';
import { qemuBoardSchema } from '../virtual/QemuBoardOptions.js';
import { QEMU_RESOURCE } from '../virtual/qemuBoardFor.js';
import { qemuStatePaths } from '../virtual/qemuStatePaths.js';
import type { RigSpec } from './RigSpec.js';

/**
 * Refuses (exit 2, the rig file's line and field) a rig whose own state hil could not write: a `stateDir` on a
 * read-only disk or below a file, a flash file that is a directory or read-only. The rig file chose these
 * paths, as labgrid's environment file names its resources, so it is the file that is wrong, found before a lease
 * is taken or a process started rather than at the first power-on, where it would count towards quarantine.
 * A disk with too little room stays a rig error: the file is right, the station is not.
 */
export function checkRigState(rig: RigSpec, stateRoot: string, instance?: string): void {
  const settings = rig.resources?.[QEMU_RESOURCE];
  if (settings === undefined) return;
  const parsed = qemuBoardSchema.safeParse(settings);
  if (!parsed.success) return; // loadRig has said what is wrong with it
  const issues: ConfigIssue[] = [];
  const purpose = `rig ${rig.name}'s flash files`;
  for (const p of qemuStatePaths(parsed.data, rig.dir, stateRoot, instance ?? rig.name)) {
    const problem = p.folder ? outputDirProblem(p.path, purpose) : outputFileProblem(p.path, purpose);
    if (!problem) continue;
    issues.push(rig.yaml.issue(['resources', QEMU_RESOURCE, ...p.field], problem));
    if (p.folder) break; // its files would only repeat it
  }
  if (issues.length) throw new ConfigError(issues);
}
