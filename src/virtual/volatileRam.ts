/** A block of the machine's RAM as `info mtree` shows it where the CPU sees it. */
export interface RamBlock {
  name: string;
  address: number;
  size: number;
}

const REGION = /^\s+([0-9a-f]+)-([0-9a-f]+) \(prio -?\d+, ram\): (.+)$/;

/**
 * The RAM a power cut wipes: every RAM region of the system address space in QEMU's `info mtree`, except the
 * memory backends that are the board's flash (`nv` ids). Aliases (mirrors of a block at another address) are
 * left out: clearing the block clears them.
 */
export function volatileRam(mtree: string, nvIds: readonly string[]): RamBlock[] {
  const blocks: RamBlock[] = [];
  let inSystem = false;
  for (const line of mtree.split(/\r?\n/)) {
    if (line.startsWith('address-space:')) {
      inSystem = line.trim() === 'address-space: memory';
      continue;
    }
    if (!inSystem) continue;
    const m = REGION.exec(line);
    if (!m || m[3]!.startsWith('alias ') || nvIds.includes(m[3]!)) continue;
    const address = parseInt(m[1]!, 16);
    // Several address spaces can share the name `memory` (QEMU lists each view): one block, listed once.
    if (!blocks.some((b) => b.name === m[3] && b.address === address))
      blocks.push({ name: m[3]!, address, size: parseInt(m[2]!, 16) - address + 1 });
  }
  return blocks;
}
