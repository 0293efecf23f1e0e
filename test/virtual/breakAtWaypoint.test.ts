import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RigError } from '../../src/core/errors.js';
import { virtualDrivers } from '../helpers/virtualDrivers.js';
import { until } from '../helpers/until.js';
import { strayBreakSessions } from '../helpers/processes.js';
import { makeVirtualRig, type VirtualRig } from '../helpers/virtualRig.js';

/**
 * A breakpoint with a `sequence` runs to the latest hit earlier cases taught it on a watchpoint, then counts: the
 * cut must land on the same word as counting every call from the first, and leave the same flash.
 */
const BUILD = resolve(import.meta.dirname, '../../rigs/virtual/firmware/build');
const ELF = join(BUILD, 'bootloader.elf');
const present = ['bootrom.elf', 'bootloader.elf', 'factory.img', 'flash_map.json'].every((f) => existsSync(join(BUILD, f)));
const NV_BASE = 0x21000000;
const SLOTS = { offset: 0x10000, size: 0x20000 };

(present ? describe : describe.skip)('QemuProbe.breakAt with a sequence: to a known hit on a watchpoint, then counting', () => {
  let rig: VirtualRig;
  const factoryBase = () =>
    (JSON.parse(readFileSync(join(BUILD, 'flash_map.json'), 'utf8')) as { regions: { factory: { base: number } } }).regions.factory.base;
  const resources = () => ({
    qemu: { kernel: join(BUILD, 'bootrom.elf'), nv: [{ id: 'nv', size: '16M', address: NV_BASE }], stateDir: 'state', lifetime: '2m' },
  });

  /** Cuts at `hit` as the cut step does (flash, boot, arm, button) and returns the slots' bytes after the cut. */
  async function cutAt(hit: number, sequence?: string): Promise<{ slots: Buffer; pc?: number }> {
    const { power, console, probe, lines, button, close } = virtualDrivers(rig, resources());
    try {
      await probe.flash(
        [
          { name: 'bootloader', path: join(BUILD, 'bootloader.bin'), address: NV_BASE },
          { name: 'factory', path: join(BUILD, 'factory.img'), address: factoryBase() },
        ],
        { erase: [{ address: NV_BASE + SLOTS.offset, size: SLOTS.size }] },
      );
      await console.open();
      await power.on();
      await until('no image', () => lines.some((l) => l.text.includes('No valid image found')), 10_000);
      const armed = await probe.breakAt(
        { symbol: 'flash_program_word', hit, symbols: ELF, ...(sequence ? { sequence } : {}) },
        { signal: new AbortController().signal, timeoutMs: 30_000 },
      );
      await button.set(true);
      await new Promise((r) => setTimeout(r, 50));
      await button.set(false);
      const halt = await armed.halted;
      await power.off();
      await halt.release();
      return { slots: readFileSync(rig.nvFile).subarray(SLOTS.offset, SLOTS.offset + SLOTS.size), pc: halt.pc };
    } finally {
      await close();
    }
  }

  /** Hits 1 to 4 cut once each: what a sweep's first cases teach the probe. */
  const sequence = 'learnt';
  beforeAll(async () => {
    rig = await makeVirtualRig();
    for (let hit = 1; hit <= 4; hit++) await cutAt(hit, sequence);
  });
  afterEach(() => {
    expect(rig.leftovers()).toEqual([]);
    expect(strayBreakSessions()).toEqual([]);
  });
  afterAll(async () => {
    await rig?.remove();
  });

  it('hits 5 and 60 after hits 1 to 4 were learnt: the same word and the same flash as counting from the first call', async () => {
    for (const hit of [5, 60]) {
      const counted = await cutAt(hit);
      const reached = await cutAt(hit, sequence);
      expect(reached.pc).toBe(counted.pc);
      expect(reached.slots.equals(counted.slots)).toBe(true);
    }
  });

  it('a hit past the last still counts every call: 553', async () => {
    const { button, probe, lines, console, power, close } = virtualDrivers(rig, resources());
    try {
      await probe.flash(
        [
          { name: 'bootloader', path: join(BUILD, 'bootloader.bin'), address: NV_BASE },
          { name: 'factory', path: join(BUILD, 'factory.img'), address: factoryBase() },
        ],
        { erase: [{ address: NV_BASE + SLOTS.offset, size: SLOTS.size }] },
      );
      await console.open();
      await power.on();
      await until('no image', () => lines.some((l) => l.text.includes('No valid image found')), 10_000);
      const armed = await probe.breakAt(
        { symbol: 'flash_program_word', hit: 600, symbols: ELF, sequence },
        { signal: new AbortController().signal, timeoutMs: 30_000 },
      );
      await button.set(true);
      await new Promise((r) => setTimeout(r, 50));
      await button.set(false);
      await until('the rollback', () => lines.some((l) => l.text.includes('Rollback complete')), 30_000);
      expect(await armed.release()).toBe(553);
      await expect(armed.halted).rejects.toBeInstanceOf(RigError);
    } finally {
      await close();
    }
  });
});
