import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { FlashImage, Probe } from '../../../src/protocols/Probe.js';
import { gdbDriver } from '../../../src/drivers/probe/gdb.js';
import { openocdDriver } from '../../../src/drivers/probe/openocd.js';
import { pyocdDriver } from '../../../src/drivers/probe/pyocd.js';
import { stm32cubeprogDriver } from '../../../src/drivers/probe/stm32cubeprog.js';
import { encodeImage } from '../../../src/image/McubootImage.js';
import { driverContext, rigErrorOf } from '../../helpers/driverContext.js';
import { cpuMsSince } from '../../helpers/cpuTime.js';

/**
 * Whoever calls a probe (a step, a script, a future command that skipped the run's checks), it never starts its
 * tool on an image that would be written past its region or on a path that is not a regular file. Each probe's
 * tool is pointed at something that would answer if it ran; the timeline shows it never started.
 */
let dir: string;
const REGION = { name: 'bootloader', address: 0x08000000, size: 0x8000 };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-region-guard-'));
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(REGION.size + 1, 0x5a));
  writeFileSync(join(dir, 'fits.bin'), Buffer.alloc(REGION.size, 0x5a));
  // An MCUboot image whose file fits but whose header says header + body + TLVs are larger than the slot.
  const img = encodeImage({ body: Buffer.alloc(REGION.size - 0x100, 0x11), version: '1.0.0', headerSize: 0x200 });
  writeFileSync(join(dir, 'lying.img'), img.subarray(0, REGION.size));
  // Intel HEX: one record at the region's end runs 16 bytes past it.
  const rec = (addr: number, n: number) => {
    const bytes = [n, (addr >> 8) & 0xff, addr & 0xff, 0, ...Array(n).fill(0xaa)];
    const sum = (0x100 - (bytes.reduce((a, b) => a + b, 0) & 0xff)) & 0xff;
    return `:${[...bytes, sum]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('')
      .toUpperCase()}`;
  };
  writeFileSync(join(dir, 'past.hex'), [':020000040800F2', rec(0x7ff0, 32), ':00000001FF', ''].join('\n'));
  execFileSync('mkfifo', [join(dir, 'fifo.bin')]);
  symlinkSync('/dev/zero', join(dir, 'zero.bin'));
  mkdirSync(join(dir, 'a-directory.bin'));
  closeSync(openSync(join(dir, 'STM32_Programmer_CLI'), 'w'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const probes: Array<[string, () => Probe & { ctx?: unknown }, ReturnType<typeof driverContext>]> = [];
function probe(kind: string, create: (ctx: ReturnType<typeof driverContext>) => Probe): void {
  const ctx = driverContext();
  probes.push([kind, () => create(ctx), ctx]);
}
probe('gdb', (ctx) => gdbDriver.create(gdbDriver.schema.parse({ kind: 'gdb', server: 'openocd', remote: '127.0.0.1:1' }), ctx));
probe('openocd', (ctx) => openocdDriver.create(openocdDriver.schema.parse({ kind: 'openocd', args: ['-f', 'target/stm32f4x.cfg'] }), ctx));
probe('pyocd', (ctx) => pyocdDriver.create(pyocdDriver.schema.parse({ kind: 'pyocd', target: 'stm32f429zi' }), ctx));
probe('stm32cubeprog', (ctx) =>
  stm32cubeprogDriver.create(stm32cubeprogDriver.schema.parse({ kind: 'stm32cubeprog', cli: join(dir, 'STM32_Programmer_CLI') }), ctx),
);

const image = (file: string, extra: Partial<FlashImage> = {}): FlashImage => ({
  name: 'bootloader',
  path: join(dir, file),
  address: REGION.address,
  region: REGION,
  ...extra,
});

describe.each(probes)('the %s probe refuses before its tool starts', (_kind, create, ctx) => {
  it.each([
    [
      'a binary one byte larger than its region',
      'big.bin',
      {},
      /big\.bin: is 32769 bytes, more than region bootloader holds \(32768 bytes, 32 KiB, at 0x8000000\)/,
    ],
    [
      'a binary that fits but starts 16 bytes before the region ends',
      'fits.bin',
      { address: REGION.address + REGION.size - 16 },
      /writes 0x8007ff0\.\.0x800fff0, outside region bootloader \(0x8000000\.\.0x8008000\), over what follows it/,
    ],
    [
      'an MCUboot image whose header declares more than the region',
      'lying.img',
      {},
      /has an MCUboot header declaring 33028 bytes .* more than region bootloader holds/,
    ],
    ['a HEX record past the region', 'past.hex', {}, /writes 0x8007ff0\.\.0x8008010, outside region bootloader/],
    ['a FIFO', 'fifo.bin', {}, /fifo\.bin: is a FIFO/],
    ['a symlink to /dev/zero', 'zero.bin', {}, /zero\.bin: is a character device/],
    ['a directory', 'a-directory.bin', {}, /a-directory\.bin: is a directory/],
  ])('%s', async (_what, file, extra, message) => {
    const started = process.cpuUsage();
    const err = await rigErrorOf(create().flash([image(file, extra)]));
    expect(err.part).toBe('probe');
    expect(err.message).toMatch(/^refusing to flash bootloader: /);
    expect(err.message).toMatch(message);
    expect(cpuMsSince(started)).toBeLessThan(2000);
    expect(ctx.events.filter((e) => e.type === 'proc')).toEqual([]);
  });
});
