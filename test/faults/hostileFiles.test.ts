import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil, ROOT } from '../helpers/hilCli.js';
import { processesMentioning } from '../helpers/processes.js';
import { timedHil } from '../helpers/timedHil.js';

/**
 * Files a rig file makes QEMU read (`kernel`, `-bios`, `-device loader,file=` in `args`) are resolved relative to
 * the rig file, must stay in the project unless written absolute, and must be regular files. Before, a kernel of
 * `../../etc/passwd` made QEMU abort (reported as a board FAIL), and a FIFO hung QEMU's start. Now `hil validate`
 * and `hil run` stop at the rig file: exit 2, file:line:col and field, < 2 s of CPU, nothing leased or started.
 */
let dir: string;
const STACK = /\n\s+at .*:\d+:\d+\)?/;
const BOOTROM = join(ROOT, 'rigs/virtual/firmware/build/bootrom.bin');

/** hil's virtual rig, its `resources.qemu` given `kernel` and `args`, its images absolute (they are hil's). */
function rigWith(name: string, qemu: { kernel: string; args?: string[] }, images = '{}'): string {
  const virtual = readFileSync(join(ROOT, 'rigs', 'virtual.yaml'), 'utf8');
  const text = virtual
    .slice(0, virtual.indexOf('\nimages:'))
    .replace(/^name: virtual$/m, `name: ${name}`)
    .replace(
      'kernel: virtual/firmware/build/bootrom.bin',
      `kernel: ${qemu.kernel}${qemu.args ? `\n    args: ${JSON.stringify(qemu.args)}` : ''}`,
    );
  const file = join(dir, 'rigs', `${name}.yaml`);
  writeFileSync(file, `${text}\nimages: ${images}\n`);
  return file;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-hostile-files-'));
  mkdirSync(join(dir, 'rigs'));
  mkdirSync(join(dir, 'scenarios'));
  mkdirSync(join(dir, 'a-directory'));
  execFileSync('mkfifo', [join(dir, 'fifo.bin')]);
  symlinkSync('/dev/zero', join(dir, 'zero.bin'));
  const scenario = (name: string, steps: string) =>
    writeFileSync(
      join(dir, 'scenarios', `${name}.yaml`),
      `name: ${name}\nsteps:\n${steps}expect: { model: { initial: a, states: { a: {} } } }\n`,
    );
  scenario('boots', '  - power: on\n  - sleep: 10ms\n');
  scenario('flashes', '  - flash: [bootloader]\n');
  scenario('cut-fifo-symbols', '  - power: on\n  - cut: { at: { symbol: flash_program_word, hit: 1, symbols: ../fifo.bin } }\n');
  scenario('cut-dir-symbols', '  - power: on\n  - cut: { at: { symbol: flash_program_word, hit: 1, symbols: ../a-directory } }\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `hil run` refused before the lease: exit 2, no stack, < 2 s of CPU, no state, no report, no emulator. */
function expectRefused(r: Awaited<ReturnType<typeof timedHil>>, message: RegExp): void {
  expect(r.all).toMatch(message);
  expect(r.code).toBe(2);
  expect(r.all).not.toMatch(STACK);
  expect(r.cpuMs).toBeLessThan(2000);
  expect(r.wallMs).toBeLessThan(10_000);
  expect(existsSync(join(dir, '.hil')) ? readdirSync(join(dir, '.hil')) : []).toEqual([]);
  expect(existsSync(join(dir, 'reports'))).toBe(false);
  expect(processesMentioning(dir).filter((p) => /qemu-system|gdb/.test(p))).toEqual([]);
}

const run = (scenario: string, rig: string) =>
  timedHil(['run', scenario, '--rig', rig, '--report-dir', join(dir, 'reports')], {
    cwd: dir,
    timeoutMs: 30_000,
    env: { HIL_STATE_DIR: join(dir, '.hil') },
  });

describe('files a rig makes QEMU read', () => {
  it.each([
    [
      'a kernel leaving the project',
      'kernel-escape',
      { kernel: '../../../../../../../etc/passwd' },
      /resources\.qemu\.kernel: \.\.\/(\.\.\/)+etc\/passwd is outside the project/,
    ],
    [
      'a kernel that is a directory',
      'kernel-dir',
      { kernel: '../a-directory' },
      /resources\.qemu\.kernel: \.\.\/a-directory: is a directory; only regular files are read/,
    ],
    ['a kernel that does not exist', 'kernel-missing', { kernel: '../nope.bin' }, /resources\.qemu\.kernel: \.\.\/nope\.bin: no such file/],
    [
      '-bios that is a FIFO',
      'bios-fifo',
      { kernel: BOOTROM, args: ['-bios', '../fifo.bin'] },
      /resources\.qemu\.args\[1\]: \.\.\/fifo\.bin: is a FIFO \(named pipe\); only regular files are read/,
    ],
    [
      '-device loader,file= a symlink to /dev/zero',
      'loader-zero',
      { kernel: BOOTROM, args: ['-device', 'loader,file=../zero.bin,addr=0x20000000'] },
      /resources\.qemu\.args\[1\]: \.\.\/zero\.bin: is a character device/,
    ],
    [
      '-kernel in args leaving the project',
      'args-escape',
      { kernel: BOOTROM, args: ['-kernel', '../../../../../../etc/passwd'] },
      /resources\.qemu\.args\[1\]: \.\.\/(\.\.\/)+etc\/passwd is outside the project/,
    ],
  ])('%s: validate and run exit 2 naming file:line and field, nothing started', async (_what, name, qemu, message) => {
    const file = rigWith(name, qemu);
    const v = await hil(['validate', file], { cwd: dir });
    expect(v.stdout).toMatch(new RegExp(`${name}\\.yaml:\\d+:\\d+ ${message.source}`));
    expect(v.code).toBe(2);

    expectRefused(await run('boots', file), message);
  });

  it('an absolute path outside the project is taken as written (a firmware package such as /usr/lib/u-boot)', async () => {
    const v = await hil(['validate', rigWith('absolute', { kernel: BOOTROM })], { cwd: dir });
    expect(v.stdout).toMatch(/^ok +rig +.*absolute\.yaml/m);
    expect(v.code).toBe(0);
  });
});

describe('files a scenario makes hil read', () => {
  it('a rig image the scenario flashes that was never built: exit 2 naming the step, before the lease (was exit 3 from the probe)', async () => {
    const rig = rigWith('unbuilt', { kernel: BOOTROM }, '{ bootloader: { path: ../build/boot.bin, region: bootloader } }');
    expectRefused(
      await run('flashes', rig),
      /flashes\.yaml:3:\d+ steps\[0\]\.flash: image bootloader of rig unbuilt: .*build\/boot\.bin: no such file/,
    );
  });

  it.each([
    [
      'a FIFO',
      'cut-fifo-symbols',
      /cut-fifo-symbols\.yaml:4:\d+ steps\[1\]\.cut: \.\.\/fifo\.bin: is a FIFO \(named pipe\); only regular files are read/,
    ],
    ['a directory', 'cut-dir-symbols', /cut-dir-symbols\.yaml:4:\d+ steps\[1\]\.cut: \.\.\/a-directory: is a directory/],
  ])(
    'cut symbols: that is %s, relative to the scenario file: exit 2 naming the step, before the lease',
    async (_what, scenario, message) => {
      expectRefused(await run(scenario, rigWith('plain', { kernel: BOOTROM })), message);
    },
  );
});
