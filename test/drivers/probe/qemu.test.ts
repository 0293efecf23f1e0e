import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RigError } from '../../../src/core/errors.js';
import { qemuProbeDriver } from '../../../src/drivers/probe/qemu.js';
import { virtualDrivers as driversOf } from '../../helpers/virtualDrivers.js';
import { until } from '../../helpers/until.js';
import { BOOT_COUNT_ADDR, NV_BASE, TICK_ADDR } from '../../helpers/testFirmware.js';
import { strays } from '../../helpers/processes.js';
import { makeVirtualRig, type VirtualRig } from '../../helpers/virtualRig.js';

const SCRATCH = 0x21400000;
const offset = (address: number) => address - NV_BASE;

describe('QemuProbe: gdb-multiarch on the QEMU gdbstub', () => {
  let rig: VirtualRig;
  let pattern: Buffer;
  beforeAll(async () => {
    rig = await makeVirtualRig();
    pattern = Buffer.from(Array.from({ length: 6000 }, (_, i) => (i * 7 + 3) & 0xff));
    await writeFile(join(rig.dir, 'pattern.bin'), pattern);
  });
  beforeEach(async () => {
    // Each test starts from an erased board: the next QEMU start recreates the image all 0xFF.
    await rm(rig.nvFile, { force: true });
  });
  /** Every session a test opened: closed after it (the spare QEMU of a powered-off flash and gdb go with it). */
  const opened: Array<ReturnType<typeof driversOf>> = [];
  const virtualDrivers = (r: VirtualRig) => {
    opened.push(driversOf(r));
    return opened.at(-1)!;
  };
  afterEach(async () => {
    for (const drivers of opened.splice(0)) await drivers.close();
    expect(rig.leftovers()).toEqual([]);
    expect(strays('--interpreter=mi3')).toEqual([]);
  });
  afterAll(async () => {
    await rig?.remove();
  });

  it('round-trips a raw binary at an NV address with power off, without ever running the guest', async () => {
    const { probe, power } = virtualDrivers(rig);
    await probe.flash([{ name: 'app', path: rig.firmware.appBin, address: NV_BASE }]);
    await probe.flash([{ name: 'pattern', path: join(rig.dir, 'pattern.bin'), address: SCRATCH }], { verify: true });
    expect(power.state()).toBe('off');
    expect((await probe.read(SCRATCH, pattern.length)).equals(pattern)).toBe(true);
    // The NV file is the flash: the bytes are there with QEMU gone.
    const nv = await readFile(rig.nvFile);
    expect(nv.subarray(offset(SCRATCH), offset(SCRATCH) + pattern.length).equals(pattern)).toBe(true);
    // A guest that had run would have counted a boot.
    expect(nv.readUInt32LE(offset(BOOT_COUNT_ADDR))).toBe(0xffffffff);
  });

  it('reads the flash from its file, as the guest left it: no QEMU and no gdb for a read', async () => {
    const nv = Buffer.alloc(16 * 1024 * 1024, 0xff);
    pattern.copy(nv, offset(SCRATCH));
    await writeFile(rig.nvFile, nv);
    const { probe, power, context } = virtualDrivers(rig);
    const started: string[] = [];
    context('probe').timeline.subscribe((e) => {
      if (e.type === 'proc' || e.type === 'qemu') started.push(e.type);
    });
    expect((await probe.read(SCRATCH, pattern.length)).equals(pattern)).toBe(true);
    expect(power.state()).toBe('off');
    expect(started).toEqual([]);
  });

  it('a flash over flash that already holds part of the result leaves exactly the result (chunks it holds are not rewritten)', async () => {
    const { probe } = virtualDrivers(rig);
    const other = Buffer.alloc(pattern.length, 0x5a);
    await writeFile(join(rig.dir, 'other.bin'), other);
    const region = { address: SCRATCH, size: 0x30000 };
    // Chunk 1 of the region will hold the pattern already, chunk 2 other bytes, chunk 3 is erased.
    await probe.flash([
      { name: 'pattern', path: join(rig.dir, 'pattern.bin'), address: SCRATCH },
      { name: 'other', path: join(rig.dir, 'other.bin'), address: SCRATCH + 0x10000 },
    ]);
    await probe.flash([{ name: 'pattern', path: join(rig.dir, 'pattern.bin'), address: SCRATCH }], { erase: [region] });
    const expected = Buffer.alloc(region.size, 0xff);
    pattern.copy(expected, 0);
    expect((await readFile(rig.nvFile)).subarray(offset(SCRATCH), offset(SCRATCH) + region.size).equals(expected)).toBe(true);
    // And back: the erase alone, over the pattern it would otherwise keep.
    await probe.erase(SCRATCH, region.size);
    expect((await readFile(rig.nvFile)).subarray(offset(SCRATCH), offset(SCRATCH) + region.size).every((b) => b === 0xff)).toBe(true);
  });

  it('loads ELF and Intel HEX by their own addresses, verified, and a raw binary defaults to the NV address', async () => {
    const { probe } = virtualDrivers(rig);
    const app = await readFile(rig.firmware.appBin);
    for (const path of [rig.firmware.appElf, rig.firmware.appHex]) {
      await probe.erase(NV_BASE, app.length);
      expect((await probe.read(NV_BASE, app.length)).every((b) => b === 0xff)).toBe(true);
      await probe.flash([{ name: 'app', path }], { verify: true });
      expect((await probe.read(NV_BASE, app.length)).equals(app)).toBe(true);
    }
    await probe.erase(NV_BASE, app.length);
    await probe.flash([{ name: 'app', path: rig.firmware.appBin }], { verify: true });
    expect((await probe.read(NV_BASE, app.length)).equals(app)).toBe(true);
  });

  it('reports flash progress a 64 KiB chunk at a time with its bytes, and the chunks land where they belong', async () => {
    const { probe } = virtualDrivers(rig);
    // 150 KiB: two whole chunks and a part; every 4-byte word tells its own offset.
    const big = Buffer.alloc(150 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE(i, i);
    await writeFile(join(rig.dir, 'big.bin'), big);
    const updates: Array<{ phase: string; percent: number; bytes?: number; total?: number }> = [];
    probe.progress.onProgress((u) => updates.push(u));
    await probe.flash([{ name: 'big', path: join(rig.dir, 'big.bin'), address: SCRATCH }], { erase: [{ address: SCRATCH, size: 1024 }] });
    expect(updates).toEqual([
      { phase: 'erase', percent: 0, image: '0x21400000', bytes: 0, total: 1024 },
      { phase: 'erase', percent: 100, image: '0x21400000', bytes: 1024, total: 1024 },
      { phase: 'program', percent: 0, image: 'big', bytes: 0, total: big.length },
      { phase: 'program', percent: 43, image: 'big', bytes: 65536, total: big.length },
      { phase: 'program', percent: 85, image: 'big', bytes: 131072, total: big.length },
      { phase: 'program', percent: 100, image: 'big', bytes: big.length, total: big.length },
    ]);
    expect((await probe.read(SCRATCH, big.length)).equals(big)).toBe(true);
  });

  it('erases to 0xFF exactly the range asked', async () => {
    const { probe } = virtualDrivers(rig);
    await probe.flash([{ name: 'pattern', path: join(rig.dir, 'pattern.bin'), address: SCRATCH }]);
    await probe.erase(SCRATCH + 1000, 2000);
    const back = await probe.read(SCRATCH, pattern.length);
    expect(back.subarray(0, 1000).equals(pattern.subarray(0, 1000))).toBe(true);
    expect(back.subarray(1000, 3000).every((b) => b === 0xff)).toBe(true);
    expect(back.subarray(3000).equals(pattern.subarray(3000))).toBe(true);
  });

  it('on a running board: halts, writes, reads live memory, resets; the board keeps running', async () => {
    const { probe, power, console, lines, close } = virtualDrivers(rig);
    await probe.flash([{ name: 'app', path: rig.firmware.appBin, address: NV_BASE }]);
    await console.open();
    try {
      await power.on();
      await until('ticks', () => lines.filter((l) => l.text.startsWith('tick')).length >= 3);
      await probe.flash([{ name: 'pattern', path: join(rig.dir, 'pattern.bin'), address: SCRATCH }], { verify: true });
      expect((await probe.read(SCRATCH, pattern.length)).equals(pattern)).toBe(true);
      const tick = (await probe.read(TICK_ADDR, 4)).readUInt32LE(0);
      expect(tick).toBeGreaterThanOrEqual(3);
      const boots = lines.filter((l) => l.text.startsWith('boot')).length;
      await probe.reset();
      await until('boot after reset', () => lines.filter((l) => l.text.startsWith('boot')).length === boots + 1);
      expect(power.state()).toBe('on');
      // Flash with reset: the app restarts from the new image.
      await probe.flash([{ name: 'app', path: rig.firmware.appElf }], { reset: true });
      await until('boot after flash', () => lines.filter((l) => l.text.startsWith('boot')).length === boots + 2);
    } finally {
      await close();
    }
  });

  it("maps gdb failures to RigError(probe) with gdb's own words", async () => {
    const { probe } = virtualDrivers(rig);
    const err = (await probe.read(0xf0000000, 16).catch((e: unknown) => e)) as RigError;
    expect(err).toBeInstanceOf(RigError);
    expect(err.part).toBe('probe');
    expect(err.message).toMatch(/^gdb: Cannot access memory at address 0xf0000000/);
    expect(err.detail).toMatch(/^'dump binary memory /);

    await expect(probe.flash([{ name: 'missing', path: join(rig.dir, 'nope.bin'), address: SCRATCH }])).rejects.toThrow(
      /refusing to flash missing: .*nope\.bin: no such file/,
    );
  });

  it('a verify mismatch names the image and the first differing address', async () => {
    const { probe } = virtualDrivers(rig);
    // The image runs 100 bytes into the end of the 16 MiB NV region: what lies past it is not memory.
    const end = NV_BASE + 16 * 1024 * 1024;
    const err = (await probe
      .flash([{ name: 'pattern', path: join(rig.dir, 'pattern.bin'), address: end - 100 }], { verify: true })
      .catch((e: unknown) => e)) as RigError;
    expect(err).toBeInstanceOf(RigError);
    expect(err.message).toBe('verify failed: pattern differs at 0x22000000');
    expect(err.detail).toMatch(/^expected 0x[0-9a-f]+, read /);
    // Without verify the same write goes unnoticed, as on a real probe.
    await expect(probe.flash([{ name: 'pattern', path: join(rig.dir, 'pattern.bin'), address: end - 100 }])).resolves.toBeUndefined();
  });

  it('a missing gdb is a RigError naming the tool and how to install it', async () => {
    const { context } = virtualDrivers(rig);
    const probe = qemuProbeDriver.create(qemuProbeDriver.schema.parse({ kind: 'qemu', gdb: 'no-such-gdb' }), context('probe'));
    await expect(probe.read(NV_BASE, 4)).rejects.toThrow(/no-such-gdb: not found on PATH \(install gdb-multiarch\)/);
  });
});
