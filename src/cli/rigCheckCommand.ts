import { loadRig, type RigSpec } from '../rig/RigSpec.js';
import { checkRig } from '../rig/rigCheck.js';
import { checkRigState } from '../rig/rigState.js';
import { writableStateRoot } from '../core/stateRoot.js';
import { Project } from '../config/Project.js';
import { Quarantine } from '../rig/Quarantine.js';
import { EXIT } from '../core/outcome.js';
import { err, out, paint, useColor } from './output.js';
import type { RigCheckOptions } from './commandLine.js';

/** Checks each part of the rig, one row per part as each check ends; says which parts failed. */
export async function checkRigParts(rig: RigSpec, opts: Pick<RigCheckOptions, 'timeout'>): Promise<boolean> {
  checkRigState(rig, writableStateRoot(new Project().root));
  const color = useColor();
  const timeoutMs = opts.timeout ? Number(opts.timeout) * 1000 : undefined;
  out(`${paint('bold', `rig ${rig.name}`, color)}${rig.description ? ` — ${rig.description}` : ''}`);
  const results = await checkRig(rig, {
    timeoutMs,
    onResult: (r) => {
      const mark = r.ok ? paint('green', 'ok  ', color) : paint('red', 'FAIL', color);
      out(`  ${mark} ${r.part.padEnd(16)} ${r.kind.padEnd(14)} ${r.message}`);
      if (!r.ok && r.detail)
        out(
          paint(
            'gray',
            r.detail
              .trim()
              .split('\n')
              .slice(-3)
              .map((l) => `         ${l}`)
              .join('\n'),
            color,
          ),
        );
    },
  });
  const failed = results.filter((r) => !r.ok);
  if (failed.length) {
    err(`rig ${rig.name}: ${failed.map((r) => r.part).join(', ')} failed the check`);
    return false;
  }
  out(`rig ${rig.name}: all ${results.length} parts ok`);
  return true;
}

/** Puts a rig that passed its checks back in service. */
export function endQuarantine(project: Project, rig: string): void {
  const quarantine = new Quarantine(project.root);
  if (quarantine.quarantined(rig)) out(`rig ${rig}: out of quarantine, runs use it again`);
  quarantine.clear(rig);
}

/** `hil rig check <rig>`: exit 3 naming what failed; a pass takes the rig out of quarantine. */
export async function rigCheckCommand(rigRef: string, opts: RigCheckOptions): Promise<number> {
  const project = new Project();
  const rig = loadRig(project.resolve('rigs', rigRef));
  if (!(await checkRigParts(rig, opts))) return EXIT.rig;
  endQuarantine(project, rig.name);
  return EXIT.ok;
}
