import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { checkOutputDir } from './outputDir.js';

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

/**
 * stateRoot, refused (exit 2, before any lease or power) when hil could not make it or write in it: a
 * `HIL_STATE_DIR` under /proc, on a read-only disk, or below a file. Commands that only read the state (`hil
 * list`) use stateRoot and work from a read-only one.
 */
export function writableStateRoot(projectRoot: string): string {
  const root = stateRoot(projectRoot);
  checkOutputDir(
    root,
    process.env['HIL_STATE_DIR'] ? { file: 'environment', field: 'HIL_STATE_DIR' } : { file: 'state folder' },
    "hil's state",
  );
  return root;
}

/** Where one rig keeps its state (`virtual#2`, a copy of a rig, keeps its own). */
export function rigStateDir(root: string, rigName: string): string {
  return join(root, 'rigs', rigName);
}
