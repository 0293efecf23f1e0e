import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { TimelineEvent } from '../../src/core/Timeline.js';
import { readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BOOT_COUNT_ADDR, NV_BASE, TICK_ADDR } from '../helpers/testFirmware.js';
import { flashedVirtualRig, virtualDrivers } from '../helpers/virtualDrivers.js';
import { until } from '../helpers/until.js';
import { makeVirtualRig, qemuResources, type VirtualRig } from '../helpers/virtualRig.js';

/** powerCycle reset: one QEMU serves every power cycle; each power-on must look to the guest like a new one. */
const reset = (rig: VirtualRig) => qemuResources(rig, { powerCycle: 'reset' });
const word = (buf: Buffer, address: number) => buf.readUInt32LE(address - NV_BASE);
/** RAM the test app does not use (its stack tops out at 0x20010000, its .bss is at 0x20000000). */
const SPARE_RAM = 0x20008000;
const PATTERN = Buffer.from('c0ffee11deadbeef5aa5a55a01234567', 'hex');

describe('powerCycle reset with real QEMU', () => {
  let rig: VirtualRig;
  beforeAll(async () => {
    rig = await flashedVirtualRig();
  });
  afterEach(() => {
    expect(rig.leftovers()).toEqual([]);
  });
  afterAll(async () => {
    await rig?.remove();
  });

  it('power off stops the CPU at once; power on is the same QEMU and pty, RAM cleared, NV kept, boot from reset', async () => {
    const { power, console, probe, lines, close } = virtualDrivers(rig, reset(rig));
    const events: TimelineEvent[] = [];
    const unsubscribe = rig.timeline.subscribe((e) => events.push(e));
    const pattern = join(rig.dir, 'pattern.bin');
    await writeFile(pattern, PATTERN);
    try {
      await console.open();
      await power.on();
      const pty = await readlink(join(rig.stateDir, 'serial0'));
      await until('a few ticks', () => lines.filter((l) => l.text.startsWith('tick')).length >= 3);
      await probe.flash([{ name: 'pattern', path: pattern, address: SPARE_RAM }]);
      expect(await probe.read(SPARE_RAM, PATTERN.length)).toEqual(PATTERN);
      // A reset is not a power cut: RAM keeps what it held (the firmware's boot shared block relies on it).
      const boots = lines.filter((l) => l.text.startsWith('boot')).length;
      await probe.reset();
      await until('the reboot', () => lines.filter((l) => l.text.startsWith('boot')).length === boots + 1);
      expect(await probe.read(SPARE_RAM, PATTERN.length)).toEqual(PATTERN);
      await until('a tick after the reboot', () => lines.at(-1)!.text.startsWith('tick'));

      await power.off();
      expect(power.state()).toBe('off');
      const stop = events.find((e) => e.type === 'qemu' && e.phase === 'stop');
      expect(stop).toBeDefined();
      expect(stop!.latencyMs as number).toBeLessThan(50);
      process.stdout.write(`power off (QMP stop): ask->done ${(stop!.latencyMs as number).toFixed(3)} ms\n`);
      expect(events.some((e) => e.type === 'proc' && e.phase === 'exit')).toBe(false);
      const nv = await readFile(rig.nvFile);
      const lastBoot = lines.map((l) => l.text).lastIndexOf(lines.filter((l) => l.text.startsWith('boot')).at(-1)!.text);
      const ticks = lines
        .slice(lastBoot)
        .filter((l) => /^tick \d+$/.test(l.text))
        .map((l) => Number(l.text.slice(5)));
      // The app stores the tick in NV, then prints it; a stopped CPU writes nothing more.
      expect(word(nv, TICK_ADDR)).toBeGreaterThanOrEqual(Math.max(...ticks));
      expect(word(nv, TICK_ADDR)).toBeLessThanOrEqual(Math.max(...ticks) + 1);
      await new Promise((r) => setTimeout(r, 100));
      expect((await readFile(rig.nvFile)).equals(nv)).toBe(true);

      const before = lines.length;
      await power.on();
      await until('the next boot', () => lines.length > before);
      const runs = events.filter((e) => e.type === 'qemu' && e.phase === 'run').map((e) => e.pid);
      expect(new Set(runs).size).toBe(1);
      expect(await readlink(join(rig.stateDir, 'serial0'))).toBe(pty);
      // Whatever the guest printed before the cut was read before the gap: the new boot starts a line of its own.
      expect(lines[before]!.text).toBe(`boot ${word(nv, BOOT_COUNT_ADDR) + 1}`);
      expect(lines.map((l) => l.text).filter((t) => !/^(boot|tick) \d+$/.test(t))).toEqual([]);
      expect(await probe.read(SPARE_RAM, PATTERN.length)).toEqual(Buffer.alloc(PATTERN.length));
    } finally {
      unsubscribe();
      await close();
    }
  });

  it('a cut racing a power-on wins; the same QEMU then powers on cleanly', async () => {
    const { power, console, lines, close } = virtualDrivers(rig, reset(rig));
    const gaps: string[] = [];
    console.subscribe({ gap: (g) => gaps.push(g.reason) });
    try {
      await console.open();
      for (const delayMs of [0, 1, 2, 3, 5, 8, 13, 21, 40]) {
        const on = power.on();
        await new Promise((r) => setTimeout(r, delayMs));
        await power.off();
        await on;
        expect(power.state()).toBe('off');
      }
      expect(gaps.every((g) => g === 'power off')).toBe(true);
      const before = lines.length;
      await power.on();
      await until('a boot', () => lines.slice(before).some((l) => l.text.startsWith('boot')));
      expect(lines[before]!.text).toMatch(/^boot \d+$/);
    } finally {
      await close();
    }
  });

  it('a QEMU that served half its lifetime bound is retired at the next power-on, not in the middle of one', async () => {
    const { power, close } = virtualDrivers(rig, qemuResources(rig, { powerCycle: 'reset', lifetime: '3s' }));
    const pids: unknown[] = [];
    const unsubscribe = rig.timeline.subscribe((e) => e.type === 'qemu' && e.phase === 'run' && pids.push(e.pid));
    try {
      await power.on();
      await power.off();
      await power.on();
      await power.off();
      await new Promise((r) => setTimeout(r, 1600));
      await power.on();
      expect(pids).toHaveLength(3);
      expect(pids[1]).toBe(pids[0]);
      expect(pids[2]).not.toBe(pids[0]);
    } finally {
      unsubscribe();
      await close();
    }
  });

  it('GPIO bytes the board never read are dropped at the cut; the next power-on hears only the levels as they are', async () => {
    const blank = await makeVirtualRig();
    const { power, console, button, probe, lines, close } = virtualDrivers(blank, reset(blank));
    try {
      await console.open();
      // Erased flash: the boot ROM sleeps and never enables UART1, so these wait unread in the GPIO link.
      await power.on();
      await button.set(true);
      await button.set(false);
      await button.set(true);
      await new Promise((r) => setTimeout(r, 50));
      await power.off();
      await probe.flash([{ name: 'app', path: blank.firmware.appBin, address: NV_BASE }]);
      await power.on();
      await until('the held level', () => lines.some((l) => l.text.startsWith('in ')));
      await new Promise((r) => setTimeout(r, 100));
      expect(lines.filter((l) => l.text.startsWith('in ')).map((l) => l.text)).toEqual(['in A']);
    } finally {
      await close();
      expect(blank.leftovers()).toEqual([]);
      await blank.remove();
    }
  });
});
