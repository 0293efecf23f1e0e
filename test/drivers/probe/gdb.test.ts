import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execa, type ResultPromise } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GdbProgress, gdbDriver } from '../../../src/drivers/probe/gdb.js';
import type { ProbeProgressUpdate } from '../../../src/protocols/ProbeProgress.js';
import { driverContext, rigErrorOf } from '../../helpers/driverContext.js';

const SRAM = 0x20000000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A real GDB server: QEMU's gdbstub on an mps2-an385, held at reset (-S). A two-word vector table and a
 * `b .` loop are preloaded at 0 so the core idles instead of locking up when gdb detaches and it runs.
 */
let qemu: ResultPromise;
let port: number;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hil-gdb-test-'));
  const vectors = Buffer.alloc(16);
  vectors.writeUInt32LE(0x20001000, 0);
  vectors.writeUInt32LE(0x00000009, 4);
  vectors.writeUInt16LE(0xe7fe, 8);
  await writeFile(join(dir, 'idle.bin'), vectors);
  port = await freePort();
  qemu = execa(
    'qemu-system-arm',
    [
      '-M',
      'mps2-an385',
      '-S',
      '-gdb',
      `tcp:127.0.0.1:${port}`,
      '-display',
      'none',
      '-monitor',
      'none',
      '-serial',
      'null',
      '-nodefaults',
      '-device',
      `loader,file=${join(dir, 'idle.bin')},addr=0x0`,
    ],
    { detached: true, reject: false },
  );
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
});

afterAll(async () => {
  if (qemu.pid && qemu.exitCode === null) process.kill(-qemu.pid, 'SIGKILL');
  await qemu;
  await rm(dir, { recursive: true, force: true });
});

const options = () => gdbDriver.schema.parse({ kind: 'gdb', server: 'qemu', remote: `127.0.0.1:${port}`, timeout: '30s' });

describe("gdb probe against QEMU's gdbstub (real gdb-multiarch, real QEMU)", () => {
  it('writes a raw binary with restore, verifies it by reading back, and reads it again', async () => {
    const ctx = driverContext();
    const probe = gdbDriver.create(options(), ctx);
    const data = randomBytes(4096);
    await writeFile(join(dir, 'app.bin'), data);
    await probe.flash([{ name: 'app', path: join(dir, 'app.bin'), address: SRAM + 0x1000 }], { reset: true });
    expect(await probe.read(SRAM + 0x1000, 4096)).toEqual(data);
    expect(ctx.events.filter((e) => e.type === 'probe-progress').map((e) => `${e.phase} ${e.percent}`)).toEqual(['restore 0', 'flash 100']);
  });

  it('erases a region of the emulator to 0xFF', async () => {
    const probe = gdbDriver.create(options(), driverContext());
    await probe.erase(SRAM + 0x3000, 512);
    expect(await probe.read(SRAM + 0x3000, 512)).toEqual(Buffer.alloc(512, 0xff));
  });

  it("resets through the server's monitor command", async () => {
    const ctx = driverContext();
    await gdbDriver.create(options(), ctx).reset();
    expect(ctx.events.some((e) => e.type === 'proc' && e.phase === 'exit' && e.exitCode === 0)).toBe(true);
  });

  it('rig check connects and lets the target go', async () => {
    await expect(gdbDriver.check(options(), driverContext())).resolves.toBe(`gdb connected to qemu at 127.0.0.1:${port}`);
  });

  it('refuses a raw binary without an address', async () => {
    const err = await rigErrorOf(gdbDriver.create(options(), driverContext()).flash([{ name: 'app', path: join(dir, 'app.bin') }]));
    expect(err.message).toBe(`image app (${join(dir, 'app.bin')}) is a raw binary: give it an address`);
  });
});

describe('gdb with no server', () => {
  it("turns gdb's connection error into a RigError in gdb's words", async () => {
    const dead = await freePort();
    const probe = gdbDriver.create(
      gdbDriver.schema.parse({ kind: 'gdb', server: 'openocd', remote: `127.0.0.1:${dead}`, connectTimeout: '1s' }),
      driverContext(),
    );
    const err = await rigErrorOf(probe.reset());
    expect(err.message).toMatch(new RegExp(`^gdb-multiarch \\(exit 1\\): 127\\.0\\.0\\.1:${dead}: Connection (refused|timed out)\\.$`));
  });

  it('a Black Magic Probe that is not plugged in', async () => {
    const probe = gdbDriver.create(gdbDriver.schema.parse({ kind: 'gdb', server: 'bmp', remote: '/dev/ttyBMP-absent' }), driverContext());
    const err = await rigErrorOf(probe.reset());
    expect(err.message).toBe('gdb-multiarch (exit 1): /dev/ttyBMP-absent: No such file or directory.');
  });

  it('reads section progress from a load transcript', async () => {
    const updates: ProbeProgressUpdate[] = [];
    const parser = new GdbProgress((u) => updates.push(u), 'app');
    parser.feed(await readFile('test/fixtures/transcripts/gdb-load.txt', 'utf8'));
    expect(updates.map((u) => `${u.phase} ${u.percent}`)).toEqual(['load .isr_vector 0', 'load .text 0', 'load .data 0', 'load 100']);
  });
});
