import { resolve } from 'node:path';
import { rigStateDir } from '../core/stateRoot.js';
import type { QemuBoardOptions } from './QemuBoardOptions.js';

/** A folder or file the virtual board writes, and the field of `resources.qemu` that put it there. */
export interface QemuStatePath {
  field: Array<string | number>;
  path: string;
  folder: boolean;
}

/** The board's state folder: `stateDir` (relative to the rig file) or `rigs/<rig>/` in hil's state root. */
export function qemuStateDir(options: Pick<QemuBoardOptions, 'stateDir'>, rigDir: string, stateRoot: string, rigName: string): string {
  return options.stateDir ? resolve(rigDir, options.stateDir) : rigStateDir(stateRoot, rigName);
}

/** Everything the board creates or overwrites: its state folder (pty links) and its flash files. */
export function qemuStatePaths(options: QemuBoardOptions, rigDir: string, stateRoot: string, rigName: string): QemuStatePath[] {
  const dir = qemuStateDir(options, rigDir, stateRoot, rigName);
  return [
    { field: options.stateDir ? ['stateDir'] : [], path: dir, folder: true },
    ...options.nv.map((nv, i) => ({
      field: ['nv', i, ...(nv.path ? ['path'] : [])],
      path: resolve(dir, nv.path ?? `${nv.id}.img`),
      folder: false,
    })),
    ...options.drives.map((d, i) => ({ field: ['drives', i, 'path'], path: resolve(dir, d.path), folder: false })),
  ];
}
