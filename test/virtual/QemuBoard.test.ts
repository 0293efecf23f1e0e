import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { TimelineEvent } from '../../src/core/Timeline.js';
import { readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConsoleLine } from '../../src/protocols/Console.js';
import { RigError } from '../../src/core/errors.js';
import { QemuConsole, qemuConsoleDriver } from '../../src/drivers/console/qemu.js';
import type { QemuBoard } from '../../src/virtual/QemuBoard.js';
import { qemuBoardFor } from '../../src/virtual/qemuBoardFor.js';
import { QemuPower, qemuPowerDriver } from '../../src/drivers/power/qemu.js';
import { BOOT_COUNT_ADDR, NV_BASE, NV_SIZE, TICK_ADDR } from '../helpers/testFirmware.js';
import { flashedVirtualRig } from '../helpers/virtualDrivers.js';
import { until } from '../helpers/until.js';
import { qemuResources, type VirtualRig } from '../helpers/virtualRig.js';

/** The boards the tests made: each is closed after its test (its paused next QEMU goes with it). */
const boards: QemuBoard[] = [];

function parts(rig: VirtualRig, resources?: Record<string, unknown>) {
  const context = rig.session(resources);
  boards.push(qemuBoardFor(context('power')));
  const power = qemuPowerDriver.create({ kind: 'qemu' }, context('power')) as QemuPower;
  const console = qemuConsoleDriver.create({ kind: 'qemu', serial: 0 }, context('console')) as QemuConsole;
  const lines: ConsoleLine[] = [];
  console.subscribe({ line: (l) => lines.push(l) });
  return { power, console, lines };
}

const word = (buf: Buffer, address: number) => buf.readUInt32LE(address - NV_BASE);

describe('QemuBoard with real QEMU', () => {
  let rig: VirtualRig;
  beforeAll(async () => {
    rig = await flashedVirtualRig();
  });
  afterEach(async () => {
    for (const board of boards.splice(0)) await board.close();
    expect(rig.leftovers()).toEqual([]);
  });
  afterAll(async () => {
    await rig?.remove();
  });

  it('creates the NV image erased at its exact size and the probe writes the app into it', async () => {
    const nv = await readFile(rig.nvFile);
    expect(nv.length).toBe(NV_SIZE);
    const app = await readFile(rig.firmware.appBin);
    expect(nv.subarray(0, app.length).equals(app)).toBe(true);
    expect(nv.subarray(app.length, app.length + 4096).every((b) => b === 0xff)).toBe(true);
    // Flashing with power off never lets the guest run: it would have counted a boot.
    expect(word(nv, BOOT_COUNT_ADDR)).toBe(0xffffffff);
  });

  it('powers on: ptys found over QMP before the guest runs, linked in the state dir, first line received', async () => {
    const { power, console, lines } = parts(rig);
    await console.open();
    const asked = rig.timeline.now();
    await power.on();
    try {
      expect(power.state()).toBe('on');
      const link = join(rig.stateDir, 'serial0');
      expect(await readlink(link)).toMatch(/^\/dev\/pts\/\d+$/);
      await until('first line', () => lines.length > 0);
      expect(lines[0]!.text).toBe('boot 1');
      expect(lines[0]!.raw.toString('latin1')).toBe('boot 1\r\n');
      const firstLineMs = lines[0]!.t - asked;
      // Generous bound for a loaded CI machine; the measured figure is printed for the report.
      expect(firstLineMs).toBeLessThan(3000);
      process.stdout.write(`power on -> first line: ${firstLineMs.toFixed(1)} ms\n`);
    } finally {
      await power.off();
      await console.close();
    }
    expect(power.state()).toBe('off');
    await expect(stat(join(rig.stateDir, 'serial0'))).rejects.toThrow();
  });

  it('power off is a SIGKILL cut: immediate, and NV keeps exactly what the guest wrote before it', async () => {
    const { power, console, lines } = parts(rig);
    await console.open();
    await power.on();
    await until('a few ticks', () => lines.filter((l) => l.text.startsWith('tick')).length >= 5);
    const events: TimelineEvent[] = [];
    const unsubscribe = rig.timeline.subscribe((e) => events.push(e));
    await power.off();
    unsubscribe();
    await console.close();
    const kill = events.find((e) => e.type === 'qemu' && e.phase === 'kill');
    expect(kill).toBeDefined();
    // One kill(2) call: sub-millisecond, unless a loaded CI machine preempts Node right then.
    expect(kill!.latencyMs as number).toBeLessThan(50);
    process.stdout.write(`power off: kill ask->done ${(kill!.latencyMs as number).toFixed(3)} ms\n`);
    expect(events.some((e) => e.type === 'proc' && e.phase === 'exit' && e.signal === 'SIGKILL')).toBe(true);

    const nv = await readFile(rig.nvFile);
    const ticks = lines.filter((l) => /^tick \d+$/.test(l.text)).map((l) => Number(l.text.slice(5)));
    const lastPrinted = Math.max(...ticks);
    // The app stores the tick in NV, then prints it: NV holds the last printed tick, or the one after it.
    expect(word(nv, TICK_ADDR)).toBeGreaterThanOrEqual(lastPrinted);
    expect(word(nv, TICK_ADDR)).toBeLessThanOrEqual(lastPrinted + 1);
    expect(word(nv, BOOT_COUNT_ADDR)).toBe(2);
  });

  it('a cut while power is still coming up wins: on() settles quietly, the board stays off, nothing is left', async () => {
    for (const delayMs of [0, 20, 60, 120, 200]) {
      const { power, console, lines } = parts(rig);
      const gaps: string[] = [];
      console.subscribe({ gap: (g) => gaps.push(g.reason) });
      await console.open();
      const on = power.on();
      await new Promise((r) => setTimeout(r, delayMs));
      await power.off();
      await on;
      expect(power.state()).toBe('off');
      // What is left (the paused QEMU of the next power-on) goes with the board.
      await boards.at(-1)!.close();
      expect(rig.leftovers()).toEqual([]);
      // If the board got as far as running, its console saw the cut as a gap; it never resumes by itself.
      await new Promise((r) => setTimeout(r, 100));
      expect(gaps.every((g) => g === 'power off')).toBe(true);
      expect(lines.length === 0 || gaps.length === 1).toBe(true);
      await console.close();
    }
  });

  it("a missing kernel file is a RigError carrying QEMU's own message", async () => {
    const { power } = parts(rig, qemuResources(rig, { kernel: 'no-such-rom.elf' }));
    const err = await power.on().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RigError);
    expect((err as RigError).part).toBe('power');
    expect((err as RigError).message).toMatch(/^QEMU \(mps2-an385\) failed to start: Could not load kernel '.*no-such-rom\.elf'$/);
    expect((err as RigError).detail).toMatch(/qemu-system-arm/);
    expect(power.state()).toBe('off');
  });

  it("an unknown machine is a RigError carrying QEMU's own message", async () => {
    const { power } = parts(rig, qemuResources(rig, { machine: 'no-such-board' }));
    const err = (await power.on().catch((e: unknown) => e)) as RigError;
    expect(err).toBeInstanceOf(RigError);
    expect(err.message).toBe('QEMU (no-such-board) failed to start: unsupported machine type');
    expect(err.detail).toMatch(/Use -machine help/);
  });

  it('an NV image of the wrong size is refused before QEMU starts', async () => {
    const odd = join(rig.dir, 'state', 'odd.img');
    await writeFile(odd, Buffer.alloc(1024, 0xff));
    const { power } = parts(rig, qemuResources(rig, { nv: [{ id: 'nv', path: 'odd.img', size: '16M' }] }));
    await expect(power.on()).rejects.toThrow(/1024 bytes, the rig says 16777216/);
  });

  it('QEMU killed at its lifetime bound turns power off and shows as a console gap naming the reason', async () => {
    // Long enough for QEMU to start on a loaded CI machine, short enough to expire well within the test.
    const { power, console, lines } = parts(rig, qemuResources(rig, { lifetime: 2500 }));
    const gaps: string[] = [];
    console.subscribe({ gap: (g) => gaps.push(g.reason) });
    await console.open();
    await power.on();
    await until('lifetime kill', () => power.state() === 'off' && gaps.length > 0, 10_000);
    await console.close();
    expect(lines[0]?.text).toMatch(/^boot \d+$/);
    expect(gaps).toEqual(['QEMU killed at its lifetime bound (2500ms)']);
    expect(rig.logs).toContain('virtual-test: QEMU killed at its lifetime bound (2500ms)');
  });

  it("QEMU dying by itself (a guest that locks up) shows as a gap carrying QEMU's last words", async () => {
    // The erased-NV stub sleeps; a kernel that jumps to 0xFFFFFFFF instead makes QEMU abort with "Lockup".
    const lockup = join(rig.dir, 'lockup.bin');
    await writeFile(lockup, Buffer.from([0x00, 0x00, 0x01, 0x20, 0xff, 0xff, 0xff, 0xff]));
    const { power, console } = parts(rig, qemuResources(rig, { kernel: lockup }));
    const gaps: string[] = [];
    console.subscribe({ gap: (g) => gaps.push(g.reason) });
    await console.open();
    await power.on();
    await until('QEMU gone', () => power.state() === 'off' && gaps.length > 0, 5000);
    await console.close();
    expect(gaps[0]).toMatch(/^QEMU exited by itself \(.*\): .*[Ll]ockup/);
  });
});
