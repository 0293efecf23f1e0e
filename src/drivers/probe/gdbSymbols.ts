import { createHash } from 'node:crypto';
import { readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { GdbMi } from '../../gdb/GdbMi.js';
import { QUICK_MS } from './qemuGdbLink.js';

/** The ELF each gdb has loaded for symbols (its sha256): a breakpoint on the same ELF loads nothing again. */
export const loadedSymbols = new WeakMap<GdbMi, string>();

/**
 * `file` of the ELF, unless this gdb has it loaded already (each case of a sweep arms on the same one; loading it
 * took 6 to 8 ms with the CPU halted). Linked under a name of its contents that stays while the gdb lives: gdb
 * may read the file again later (the function of a stop).
 */
export async function loadSymbols(mi: GdbMi, path: string, signal: AbortSignal): Promise<void> {
  const elf = createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
  if (loadedSymbols.get(mi) === elf) return;
  loadedSymbols.delete(mi);
  const name = `symbols-${elf.slice(0, 16)}.elf`;
  await rm(join(mi.dir, name), { force: true });
  await symlink(path, join(mi.dir, name));
  await mi.cli(`file ${name}`, { timeoutMs: QUICK_MS, signal });
  loadedSymbols.set(mi, elf);
}
