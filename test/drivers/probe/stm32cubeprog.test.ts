import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkFlashLayout, needsBinary, parseFlashLayout } from '../../../src/flash/flashLayoutTsv.js';
import type { ProbeProgressUpdate } from '../../../src/protocols/ProbeProgress.js';
import { CubeProgProgress, parseUsbList, stm32cubeprogDriver } from '../../../src/drivers/probe/stm32cubeprog.js';
import { driverContext, rigErrorOf } from '../../helpers/driverContext.js';

const FIXTURES = resolve('test/fixtures/transcripts');
const SEED_TSV = join(FIXTURES, 'stm32mp1-flash.tsv');

describe('flash layout .tsv', () => {
  it("parses the STM32MP1 seed's layout, doubled tab included", async () => {
    const { entries, problems } = parseFlashLayout(await readFile(SEED_TSV, 'utf8'), 'flash.tsv');
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.line, e.opt, e.id, e.name, e.type, e.ip, e.offset, e.binary])).toEqual([
      [2, '-', 0x01, 'fsbl1-boot', 'Binary', 'none', '0x0', 'tf-a-stm32mp157c-dk2.stm32'],
      [3, '-', 0x03, 'ssbl-boot', 'Binary', 'none', '0x0', 'u-boot.stm32'],
      [4, 'P', 0x10, 'sdcard', 'RawImage', 'mmc0', '0x0', 'sdcard.img'],
    ]);
    expect(entries.every(needsBinary)).toBe(true);
  });

  it('names the file and line of each problem', () => {
    const text =
      '#Opt\tId\tName\tType\tIP\tOffset\tBinary\n-\t0x01\tfsbl\tBinary\tnone\n-\tone\tx\tBinary\tnone\t0x0\ta.stm32\nP\t0x10\tsd\tRawImage\tmmc0\t0x0\tsd.img\nP\t0x10\tsd2\tRawImage\tmmc0\t0x0\tsd.img\n';
    expect(parseFlashLayout(text, 'rigs/x/flash.tsv').problems).toEqual([
      { file: 'rigs/x/flash.tsv', line: 2, message: 'expected 7 tab-separated fields (Opt Id Name Type IP Offset Binary), got 5' },
      { file: 'rigs/x/flash.tsv', line: 3, message: 'partition Id "one" is not a hex byte such as 0x01' },
      { file: 'rigs/x/flash.tsv', line: 5, message: 'partition Id 0x10 is also used on line 4' },
    ]);
  });

  it('checks every binary exists, relative to the binaries directory', async () => {
    const { problems } = await checkFlashLayout(SEED_TSV, '/nonexistent/images');
    expect(problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '2: partition fsbl1-boot: binary tf-a-stm32mp157c-dk2.stm32 not found (looked for /nonexistent/images/tf-a-stm32mp157c-dk2.stm32)',
      '3: partition ssbl-boot: binary u-boot.stm32 not found (looked for /nonexistent/images/u-boot.stm32)',
      '4: partition sdcard: binary sdcard.img not found (looked for /nonexistent/images/sdcard.img)',
    ]);
  });
});

describe('STM32_Programmer_CLI output', () => {
  it('lists DFU devices as in the seed', async () => {
    expect(parseUsbList(await readFile(join(FIXTURES, 'stm32cubeprog-list-usb.txt'), 'utf8'))).toEqual([
      { index: 'USB1', serial: '004200343338510534383330' },
    ]);
  });

  it('reads progress from the seed run, per image and phase', async () => {
    const updates: ProbeProgressUpdate[] = [];
    const parser = new CubeProgProgress((u) => updates.push(u));
    const transcript = await readFile(join(FIXTURES, 'stm32cubeprog-dk2-flash.txt'), 'utf8');
    for (let i = 0; i < transcript.length; i += 13) parser.feed(transcript.slice(i, i + 13));
    expect(updates.map((u) => `${u.image ?? '-'} ${u.phase} ${u.percent}`)).toEqual([
      'tf-a-stm32mp157c-dk2.stm32 download 0',
      'tf-a-stm32mp157c-dk2.stm32 download 100',
      'tf-a-stm32mp157c-dk2.stm32 program 100',
      'tf-a-stm32mp157c-dk2.stm32 flashlayout 0',
      'tf-a-stm32mp157c-dk2.stm32 flashlayout 100',
      'u-boot.stm32 download 0',
      'u-boot.stm32 download 100',
      'u-boot.stm32 program 100',
      'sdcard.img download 0',
      'sdcard.img download 100',
      'sdcard.img program 100',
      '- done 100',
    ]);
  });
});

/**
 * STM32CubeProgrammer cannot be installed here, so a stand-in replays the seed's transcript and records the
 * command line and working directory it was given.
 */
describe('stm32cubeprog driver with a stand-in CLI replaying the seed', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hil-cubeprog-'));
    await mkdir(join(dir, 'images'));
    for (const f of ['tf-a-stm32mp157c-dk2.stm32', 'u-boot.stm32', 'sdcard.img']) await writeFile(join(dir, 'images', f), 'x');
    await writeFile(join(dir, 'flash.tsv'), await readFile(SEED_TSV));
    await writeFile(
      join(dir, 'STM32_Programmer_CLI'),
      `#!/bin/sh\necho "$PWD $*" > "${dir}/argv"\nif [ "$1" = "-l" ]; then cat "${FIXTURES}/stm32cubeprog-list-usb.txt"; exit 0; fi\ncat "${FIXTURES}/stm32cubeprog-dk2-flash.txt"\n`,
    );
    await chmod(join(dir, 'STM32_Programmer_CLI'), 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const opts = (extra: Record<string, unknown> = {}) =>
    stm32cubeprogDriver.schema.parse({ kind: 'stm32cubeprog', cli: join(dir, 'STM32_Programmer_CLI'), binaries: 'images', ...extra });

  it('writes a flash layout over USB DFU from the binaries directory, with progress in the timeline', async () => {
    const ctx = driverContext('probe', dir);
    await stm32cubeprogDriver.create(opts(), ctx).flash([{ name: 'factory', path: join(dir, 'flash.tsv') }]);
    expect(await readFile(join(dir, 'argv'), 'utf8')).toBe(`${join(dir, 'images')} -c port=usb1 -w ${join(dir, 'flash.tsv')}\n`);
    const progress = ctx.events.filter((e) => e.type === 'probe-progress');
    expect(progress.at(-1)).toMatchObject({ part: 'probe', phase: 'done', percent: 100 });
    expect(progress.filter((e) => e.image === 'sdcard.img').map((e) => e.percent)).toEqual([0, 100, 100]);
  });

  it('reports progress while the tool runs, not when it exits', async () => {
    const slow = join(dir, 'slow-cli');
    await writeFile(
      slow,
      `#!/bin/sh\nhead -n 30 "${FIXTURES}/stm32cubeprog-dk2-flash.txt"\nsleep 0.7\ntail -n +31 "${FIXTURES}/stm32cubeprog-dk2-flash.txt"\n`,
    );
    await chmod(slow, 0o755);
    const ctx = driverContext('probe', dir);
    await stm32cubeprogDriver.create(opts({ cli: slow }), ctx).flash([{ name: 'factory', path: join(dir, 'flash.tsv') }]);
    const exit = ctx.events.find((e) => e.type === 'proc' && e.phase === 'exit')!;
    const first = ctx.events.find((e) => e.type === 'probe-progress')!;
    expect(exit.t - first.t).toBeGreaterThan(500);
  });

  it('refuses to start when the layout names a missing binary, naming the tsv file and line', async () => {
    await rm(join(dir, 'argv'), { force: true });
    const err = await rigErrorOf(
      stm32cubeprogDriver
        .create(opts({ binaries: 'nowhere' }), driverContext('probe', dir))
        .flash([{ name: 'factory', path: join(dir, 'flash.tsv') }]),
    );
    expect(err.message).toBe(
      `${join(dir, 'flash.tsv')}:2: partition fsbl1-boot: binary tf-a-stm32mp157c-dk2.stm32 not found (looked for ${join(dir, 'nowhere', 'tf-a-stm32mp157c-dk2.stm32')}) (and 2 more)`,
    );
    expect(err.detail?.split('\n')).toHaveLength(3);
    await expect(readFile(join(dir, 'argv'))).rejects.toThrow('ENOENT');
  });

  it('writes an MCU image at an address with verify and reset', () => {
    const probe = stm32cubeprogDriver.create(opts({ port: 'swd', connect: ['sn=066DFF'] }), driverContext());
    expect(probe.commandLine({ name: 'app', path: '/b/app.bin', address: 0x08008400 }, { reset: true })).toEqual([
      '-c',
      'port=swd',
      'sn=066DFF',
      '-w',
      '/b/app.bin',
      '0x8008400',
      '-v',
      '-rst',
    ]);
  });

  it('rig check finds the board in `-l usb`, or says which index is missing', async () => {
    await expect(stm32cubeprogDriver.check(opts(), driverContext())).resolves.toBe(
      'STM32_Programmer_CLI lists USB1 (serial 004200343338510534383330)',
    );
    const err = await rigErrorOf(stm32cubeprogDriver.check(opts({ port: 'usb2' }), driverContext()));
    expect(err.message).toBe('STM32_Programmer_CLI -l usb: no usb2; it lists USB1');
  });

  it('with the tool not installed (as here), check and flash fail as not found', async () => {
    const err = await rigErrorOf(stm32cubeprogDriver.check(stm32cubeprogDriver.schema.parse({ kind: 'stm32cubeprog' }), driverContext()));
    expect(err.message).toMatch(/^STM32_Programmer_CLI: not found on PATH \(install STM32CubeProgrammer/);
  });
});
