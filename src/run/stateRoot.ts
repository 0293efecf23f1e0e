import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The one folder for everything hil keeps between runs: leases, quarantine and each rig's own state (the virtual
 * board's flash files). `$HIL_STATE_DIR` when set (a rig runner keeps it outside its CI workspace, which CI wipes
 * and which differs per runner on one host, so every job on the host shares one board's flash, leases and
 * quarantine); else `<project>/.hil` in a project (a folder with rigs/ or scenarios/); else, run from anywhere
 * else, `$XDG_STATE_HOME/hil` (`~/.local/state/hil`), so hil never leaves a 16 MiB `.hil/` in a random folder.
 */
export function stateRoot(projectRoot: string): string {
  const set = process.env['HIL_STATE_DIR'];
  if (set) return set;
  if (existsSync(join(projectRoot, 'rigs')) || existsSync(join(projectRoot, 'scenarios'))) return join(projectRoot, '.hil');
  return join(process.env['XDG_STATE_HOME'] || join(homedir(), '.local', 'state'), 'hil');
}

/** Where one rig keeps its state (`virtual#2`, a copy of a rig, keeps its own). */
export function rigStateDir(root: string, rigName: string): string {
  return join(root, 'rigs', rigName);
}
