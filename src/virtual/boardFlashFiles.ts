import { basename, resolve } from 'node:path';
import type { QemuBoardOptions } from './QemuBoardOptions.js';

/** A board's flash files (`nv` by id, `drives` by path), in its state folder. */
export function boardFlashFiles(options: QemuBoardOptions, stateDir: string): Array<{ name: string; path: string }> {
  return [
    ...options.nv.map((nv) => ({ name: nv.id, path: resolve(stateDir, nv.path ?? `${nv.id}.img`) })),
    ...options.drives.map((d) => ({ name: basename(d.path).replace(/\.[^.]*$/, ''), path: resolve(stateDir, d.path) })),
  ];
}

/**
 * The flash file and offset that hold [address, address + length), where an `nv` entry maps its whole file
 * there: QEMU maps it shared, so the file holds every word the guest wrote, at once.
 */
export function boardFlashFileAt(
  options: QemuBoardOptions,
  stateDir: string,
  address: number,
  length: number,
): { path: string; offset: number } | undefined {
  const nv = options.nv.find((n) => n.address !== undefined && address >= n.address && address + length <= n.address + n.size);
  if (!nv) return undefined;
  return { path: resolve(stateDir, nv.path ?? `${nv.id}.img`), offset: address - nv.address! };
}
