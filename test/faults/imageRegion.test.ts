import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeImage } from '../../src/image/McubootImage.js';
import { hil, ROOT } from '../helpers/hilCli.js';
import { processesMentioning } from '../helpers/processes.js';
import { timedHil } from '../helpers/timedHil.js';

/**
 * An image that does not fit where the rig puts it must never reach the board. Before, a 50 MB file passed as
 * `--image bootloader=` was written over the whole 16 MiB of the virtual board's flash, the factory image
 * included, and only then failed verify (exit 3). Now the run stops at planning, before the lease: exit 2
 * naming image and region size, within 2 s of CPU, the flash file byte for byte as it was.
 */
let dir: string;
let nvFile: string;
let nvHash: string;
const CASE = 'rollback-powerfail[cut_after=20ms]';
const STACK = /\n\s+at .*:\d+:\d+\)?/;
const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

beforeAll(() => {
  // A project of its own (its state dir holds the board's flash and the leases), using hil's virtual rig.
  dir = mkdtempSync(join(tmpdir(), 'hil-image-region-'));
  mkdirSync(join(dir, 'scenarios'));
  nvFile = join(dir, '.hil', 'rigs', 'virtual', 'nv.img');
  mkdirSync(join(dir, '.hil', 'rigs', 'virtual'), { recursive: true });
  // A board that holds something everywhere: any write shows.
  writeFileSync(nvFile, Buffer.alloc(16 * 1024 * 1024, 0x5a));
  nvHash = hash(nvFile);
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(50 * 1024 * 1024, 0xa5));
  // Fits the 64 KiB factory region as a file, but its header declares a body larger than the region.
  const img = encodeImage({ body: Buffer.alloc(70 * 1024, 0x11), version: '1.0.0', headerSize: 0x200 });
  writeFileSync(join(dir, 'lying.img'), img.subarray(0, 60 * 1024));
  execFileSync('mkfifo', [join(dir, 'fifo.bin')]);
  symlinkSync('/dev/zero', join(dir, 'zero.bin'));
  mkdirSync(join(dir, 'a-directory'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) =>
  timedHil(['run', 'rollback-powerfail', '--case', CASE, '--report-dir', join(dir, 'reports'), ...args], {
    cwd: dir,
    timeoutMs: 30_000,
    env: { HIL_STATE_DIR: join(dir, '.hil') },
  });

function expectUntouched(): void {
  expect(hash(nvFile)).toBe(nvHash);
  // Refused before the lease: no lease, no quarantine record, no report, no emulator.
  expect(readdirSync(join(dir, '.hil')).sort()).toEqual(['rigs']);
  expect(existsSync(join(dir, 'reports'))).toBe(false);
  expect(processesMentioning(dir).filter((p) => /qemu-system|gdb/.test(p))).toEqual([]);
}

describe('--image that does not fit its region, or is not a file', () => {
  it.each([
    [
      'a 50 MB bootloader',
      'bootloader=big.bin',
      /command line --image: bootloader=big\.bin: is 52428800 bytes \(50 MiB\), more than region bootloader holds \(65536 bytes, 64 KiB, at 0x21000000\); nothing was flashed/,
    ],
    [
      'an MCUboot image whose header declares more than its slot',
      'factory=lying.img',
      /factory=lying\.img: has an MCUboot header declaring \d+ bytes \(header \+ image \+ TLV area\), more than region factory holds \(65536 bytes, 64 KiB, at 0x21800000\)/,
    ],
    [
      'a FIFO (it hung the run, which then ignored SIGTERM)',
      'bootloader=fifo.bin',
      /bootloader=fifo\.bin: is a FIFO \(named pipe\); only regular files are read/,
    ],
    ['a symlink to /dev/zero', 'bootloader=zero.bin', /bootloader=zero\.bin: is a character device; only regular files are read/],
    [
      'a directory (it gave "internal error: EISDIR")',
      'bootloader=a-directory',
      /bootloader=a-directory: is a directory; only regular files are read/,
    ],
  ])('%s: exit 2 before the lease, in < 2 s of CPU, the flash file untouched', async (_what, image, message) => {
    const r = await run('--image', image);
    expect(r.all).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.all).not.toMatch(STACK);
    expect(r.cpuMs).toBeLessThan(2000);
    expect(r.wallMs).toBeLessThan(10_000);
    expectUntouched();
  });
});

describe('rig-file images', () => {
  const rigFile = () => join(dir, 'rigs', 'big.yaml');
  beforeAll(() => {
    // hil's virtual rig whose one image, the bootloader, is the 50 MB file (the kernel stays hil's own).
    mkdirSync(join(dir, 'rigs'), { recursive: true });
    const virtual = readFileSync(join(ROOT, 'rigs', 'virtual.yaml'), 'utf8');
    const text = virtual
      .slice(0, virtual.indexOf('\nimages:'))
      .replace(/^name: virtual$/m, 'name: big')
      .replace('kernel: virtual/firmware/build/bootrom.bin', `kernel: ${join(ROOT, 'rigs/virtual/firmware/build/bootrom.bin')}`);
    writeFileSync(rigFile(), `${text}\nimages:\n  bootloader: { path: ../big.bin, region: bootloader }\n`);
  });
  afterAll(() => rmSync(join(dir, 'rigs'), { recursive: true, force: true }));

  it('hil validate names the file, line and field, with both sizes', async () => {
    const r = await hil(['validate', rigFile()], { cwd: dir });
    expect(r.stdout).toMatch(
      /big\.yaml:\d+:\d+ images\.bootloader\.path: \.\.\/big\.bin: is 52428800 bytes \(50 MiB\), more than region bootloader holds \(65536 bytes, 64 KiB, at 0x21000000\)/,
    );
    expect(r.code).toBe(2);
  });

  it('hil run refuses it the same way before the lease', async () => {
    const r = await run('--rig', rigFile());
    expect(r.all).toMatch(/images\.bootloader\.path: \.\.\/big\.bin: is 52428800 bytes/);
    expect(r.code).toBe(2);
    expect(r.cpuMs).toBeLessThan(2000);
    expect(r.wallMs).toBeLessThan(10_000);
    expectUntouched();
  });
});
