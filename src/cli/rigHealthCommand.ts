import { loadRig } from '../rig/RigSpec.js';
import { summaryLine } from '../report/summary.js';
import { Project } from '../config/Project.js';
import { run } from '../run/Run.js';
import { EXIT } from '../core/outcome.js';
import { exitCodeForRun } from './exitCodes.js';
import { err, out } from './output.js';
import { checkRigParts, endQuarantine } from './rigCheckCommand.js';
import { terminalText } from './terminalText.js';
import { untilInterrupted } from './untilInterrupted.js';
import type { RigHealthOptions } from './commandLine.js';

/**
 * `hil rig health <rig>`: the rig check, then the rig's own health scenario (`health:` in the rig file) on it,
 * quarantined or not. Both passing takes the rig out of quarantine; the exit code is the scenario run's.
 */
export async function rigHealthCommand(rigRef: string, opts: RigHealthOptions): Promise<number> {
  const project = new Project();
  const rig = loadRig(project.resolve('rigs', rigRef));
  if (!(await checkRigParts(rig, opts))) return EXIT.rig;
  if (!rig.health) {
    out(`rig ${rig.name} names no health scenario (add \`health: SCENARIO\` to ${rig.yaml.displayName}); the check alone passed`);
    endQuarantine(project, rig.name);
    return EXIT.ok;
  }
  const health = rig.health;
  return untilInterrupted(async (signal) => {
    out(`rig ${rig.name}: running its health scenario ${health}`);
    const result = await run({
      scenarios: [health],
      rig: rig.file,
      reportDir: opts.reportDir,
      waitMs: Number(opts.wait ?? 0) * 1000,
      ignoreQuarantine: true,
      // The health run judges the rig itself: its errors are the verdict, not more evidence for the counter.
      quarantineAfter: 0,
      signal,
      log: (m) => out(`  ${m}`),
      onCaseEnd: (c) => out(`  ${c.status.toUpperCase()} ${c.id}${c.message ? `: ${terminalText(c.message)}` : ''}`),
    });
    out(summaryLine(result));
    const code = exitCodeForRun(result, result.interrupted);
    if (code === EXIT.ok) endQuarantine(project, rig.name);
    else err(`rig ${rig.name}: health scenario ${health} did not pass; the rig stays as it was`);
    return code;
  });
}
