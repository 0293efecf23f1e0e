import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil, ROOT, startHil } from '../helpers/hilCli.js';
import { alive, childrenOf } from '../helpers/processes.js';
import { untilOrAfter } from '../helpers/until.js';

/**
 * `hil debug`: a failing case replayed to one hit before its cut, the CPU left halted with power on and the
 * gdbstub free. A real gdb attaches through the printed command; Ctrl-C ends it with nothing left behind.
 */
const state = mkdtempSync(join(tmpdir(), 'hil-debug-state-'));
const reports = mkdtempSync(join(tmpdir(), 'hil-debug-reports-'));
const env = { HIL_STATE_DIR: state };
const NO_VALIDATE = 'bootloader=rigs/virtual/firmware/build/bootloader-no-validate.bin';
/** Where the virtual rig maps its flash file (rigs/virtual.yaml nv) and its primary slot. */
const NV_BASE = 0x21000000;
const PRIMARY = 0x21010000;
const SLOT = 64 * 1024;

const hardwareDir = mkdtempSync(join(ROOT, 'reports', 'hil-debug-rig-'));

/** Every `hil debug` started: one a failed assertion left running is ended (SIGTERM: power off, lease released). */
const started: Array<ReturnType<typeof startHil>> = [];

afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGTERM');
    await child;
  }
});

afterAll(() => {
  rmSync(hardwareDir, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
  rmSync(reports, { recursive: true, force: true });
});

/** A real gdb through the command hil printed, ending with `disconnect` (a detach would resume the CPU). */
async function gdbAt(attach: string, ...commands: string[]): Promise<string> {
  const [, elf, port] = /^attach: gdb-multiarch (\S+) -ex 'target remote :(\d+)'$/m.exec(attach) ?? [];
  expect(port).toBeDefined();
  const args = ['-batch', '-nx', join(ROOT, elf!), '-ex', `target remote :${port}`];
  for (const c of [...commands, 'disconnect']) args.push('-ex', c);
  const r = await execa('gdb-multiarch', args, { reject: false, timeout: 20_000, forceKillAfterDelay: 1000 });
  return `${r.stdout}\n${r.stderr}`;
}

/** `hil debug` started, and what it printed once the board is halted (or it ended). */
async function debugUntilHalted(args: string[]) {
  const child = startHil(['debug', ...args, '--report-dir', reports], { env, timeoutMs: 60_000 });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  await untilOrAfter(() => /^attach: /m.test(out) || child.exitCode !== null, 50_000);
  return { child, out: () => out };
}

/**
 * The virtual rig's file with its probe a Black Magic Probe's GDB server: a board hil cannot hand over halted. In
 * the project (under reports/, which git ignores): a rig's images must be.
 */
function hardwareRig(): string {
  const file = join(hardwareDir, 'bmp-board.yaml');
  const virtual = readFileSync(join(ROOT, 'rigs/virtual.yaml'), 'utf8')
    .replace(/^name: virtual$/m, 'name: bmp-board')
    .replace(/^probe: .*$/m, 'probe: { kind: gdb, remote: /dev/ttyACM0, server: bmp }')
    .replaceAll('virtual/firmware/', join(ROOT, 'rigs/virtual/firmware/'));
  writeFileSync(file, virtual);
  return file;
}

const words = (b: Buffer) => Array.from({ length: b.length / 4 }, (_, i) => b.readUInt32LE(i * 4));

describe('hil debug', () => {
  jest.setTimeout(120_000);

  it('refuses an unknown case, a case without a cut, a hardware rig, a --before past the first hit and a --cut past the last: exit 2, nothing leased', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'hil-debug-bad-'));
    try {
      const refusals: Array<[string[], RegExp]> = [
        [['no-such-scenario[hit=1]'], /no-such-scenario/],
        [['rollback-button'], /rollback-button has no cut step/],
        [['rollback-powerfail-exhaustive[hit=5]', '--rig', hardwareRig()], /needs an emulated rig .* rig bmp-board's probe is gdb/],
        [['rollback-powerfail-exhaustive[hit=5]', '--before', '5'], /--before takes 0 to 4, got 5/],
        [['rollback-powerfail-exhaustive[hit=5]', '--cut', '2'], /has 1 cut: --cut takes 1 to 1, got 2/],
      ];
      const runs = await Promise.all(
        refusals.map(([args]) => hil(['debug', ...args, '--report-dir', reports], { env: { HIL_STATE_DIR: bad } })),
      );
      for (const [i, r] of runs.entries()) {
        const [args, message] = refusals[i]!;
        expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 2, stderr: expect.stringMatching(message) });
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stdout).toBe('');
      }
      expect(existsSync(join(bad, 'leases'))).toBe(false);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it('halts a failing case one hit before its cut for a real gdb, with the flash the cut there leaves; Ctrl-C ends it clean', async () => {
    // The reference: the case cut at hit 4 (a failing one, so its flash at the cut is kept).
    const ran = await hil(
      [
        'run',
        'rollback-powerfail-exhaustive',
        '--case',
        'rollback-powerfail-exhaustive[hit=4]',
        '--image',
        NO_VALIDATE,
        '--report-dir',
        reports,
      ],
      { env },
    );
    expect(ran.code).toBe(1);
    const run = readdirSync(reports).find((d) => d.includes('Z-'))!;
    const atCut = readFileSync(join(reports, run, 'rollback-powerfail-exhaustive_hit=4', 'flash-at-cut.img'));

    const { child, out } = await debugUntilHalted(['rollback-powerfail-exhaustive[hit=5]', '--image', NO_VALIDATE]);
    expect(out()).toMatch(
      /^halted at hit 4 of flash_program_word \(1 before the cut at hit 5\), pc 0x[0-9a-f]+; power on, model in copying$/m,
    );
    expect(out()).toContain('bootloader-no-validate.elf');
    const helpers = childrenOf(child.pid!);

    // At the function's entry, about to program the 4th word: the factory image's word there, onto erased flash.
    const gdb = await gdbAt(out(), 'info symbol $pc', 'p/x $r0', 'p/x $r1', 'bt');
    expect(gdb).toMatch(/flash_program_word in section \.text/);
    expect(gdb).toMatch(/in copy_image/);
    const address = Number(/^\$1 = (0x[0-9a-f]+)$/m.exec(gdb)?.[1]);
    const data = Number(/^\$2 = (0x[0-9a-f]+)$/m.exec(gdb)?.[1]);
    const factory = readFileSync(join(ROOT, 'rigs/virtual/firmware/build/factory.img'));
    expect(data).toBe(factory.readUInt32LE(address - PRIMARY));

    // The flash holds exactly what the cut at hit 4 left: 3 words of the copy, the 4th still erased.
    const flash = readFileSync(join(ROOT, /^flash: (\S+) \(live\)$/m.exec(out())![1]!));
    expect(flash.readUInt32LE(address - NV_BASE)).toBe(0xffffffff);
    const primary = flash.subarray(PRIMARY - NV_BASE, PRIMARY - NV_BASE + SLOT);
    expect(words(primary).filter((w) => w !== 0xffffffff)).toHaveLength(3);
    expect(flash.equals(atCut)).toBe(true);

    // gdb left with `disconnect`: the CPU is still there, halted, and the gdbstub takes the next debugger.
    expect(await gdbAt(out(), 'p/x $r0')).toContain(`$1 = 0x${address.toString(16)}`);

    expect(helpers.length).toBeGreaterThan(0);
    process.kill(child.pid!, 'SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stdout).toMatch(/^power off, rig released; console and timeline: /m);
    await untilOrAfter(() => !helpers.some(alive), 5_000);
    expect(helpers.filter(alive)).toEqual([]);
    expect(existsSync(join(state, 'leases', 'virtual.json'))).toBe(false);
  });

  it('Ctrl-C before the halt (the breakpoint armed, the board on its way) ends it as cleanly', async () => {
    const child = startHil(['debug', 'rollback-powerfail-exhaustive[hit=600]', '--report-dir', reports], { env, timeoutMs: 60_000 });
    started.push(child);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await untilOrAfter(() => /model: rolling-back -> copying/.test(out) || child.exitCode !== null, 50_000);
    const helpers = childrenOf(child.pid!);
    process.kill(child.pid!, 'SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stdout).toMatch(/^SIGINT before the halt: power off, rig released$/m);
    expect(helpers.length).toBeGreaterThan(0);
    await untilOrAfter(() => !helpers.some(alive), 5_000);
    expect(helpers.filter(alive)).toEqual([]);
    expect(existsSync(join(state, 'leases', 'virtual.json'))).toBe(false);
  });

  it('halts a timed cut at its anchor, served on --gdb-port; SIGTERM ends it', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const { child, out } = await debugUntilHalted(['rollback-powerfail[cut_after=60ms]', '--gdb-port', String(port)]);
    expect(out()).toMatch(
      /^halted at the entry into copying \(the cut comes 60 ms after it\), pc 0x[0-9a-f]+; power on, model in copying$/m,
    );
    expect(out()).toContain(`-ex 'target remote :${port}'`);
    const helpers = childrenOf(child.pid!);
    expect(await gdbAt(out(), 'p/x $pc')).toMatch(/^\$1 = 0x21[0-9a-f]{6}$/m);

    process.kill(child.pid!, 'SIGTERM');
    const r = await child;
    expect(r.exitCode).toBe(143);
    await untilOrAfter(() => !helpers.some(alive), 5_000);
    expect(helpers.filter(alive)).toEqual([]);
    expect(existsSync(join(state, 'leases', 'virtual.json'))).toBe(false);
  });
});
