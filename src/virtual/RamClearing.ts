import type { Qmp } from './Qmp.js';
import type { Qtest } from './Qtest.js';
import { volatileRam, type RamBlock } from './volatileRam.js';

/**
 * powerCycle reset: what a power cut does to RAM (a new QEMU starts with every block zero), done to a stopped
 * QEMU. The machine's RAM blocks are read once, from the first QEMU's memory tree.
 */
export class RamClearing {
  private blocks?: RamBlock[];

  constructor(private readonly nvIds: readonly string[]) {}

  async learn(qmp: Qmp): Promise<void> {
    this.blocks ??= volatileRam(await qmp.execute<string>('human-monitor-command', { 'command-line': 'info mtree' }), this.nvIds);
  }

  async clear(qtest: Qtest): Promise<void> {
    for (const block of this.blocks ?? []) await qtest.memset(block.address, block.size, 0);
  }
}
