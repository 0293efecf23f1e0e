import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHil } from '../helpers/hilCli.js';
import { startedBy } from '../helpers/processes.js';
import { untilOrAfter } from '../helpers/until.js';

/**
 * `kill -9` of the virtual board's QEMU from outside, at several moments of a case: the board process dying is the
 * rig's fault, so the verdict is a rig error naming it (exit 3), at once, never a model timeout blamed on the
 * firmware (FAIL) and never a pass on a fresh QEMU.
 */
const dir = mkdtempSync(join(tmpdir(), 'hil-qemu-killed-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A rollback scenario on the virtual rig: flash, power on, no-image, then `steps`. */
function scenario(name: string, steps: string[]): string {
  const file = join(dir, `${name}.yaml`);
  const model = `
expect:
  patterns:
    NO_IMAGE: 'No valid image found'
    ROLLBACK: 'Rollback initiated'
    COPYING: 'Copying factory image \\d+%'
    DONE: 'Rollback complete'
    FACTORY: 'Factory app v\\S+ running'
  model:
    initial: off
    on: { POWER_OFF: off }
    states:
      off: { on: { POWER_ON: booting } }
      booting:
        on: { NO_IMAGE: no-image }
        after: { 2s: '#fail.no-decision' }
      no-image: { on: { ROLLBACK: rolling-back } }
      rolling-back:
        on: { COPYING: copying }
        after: { 2s: '#fail.rollback-stalled' }
      copying:
        cuttable: true
        on: { COPYING: {}, DONE: rolled-back }
        after: { 5s: '#fail.copy-stalled' }
      rolled-back:
        on: { FACTORY: running }
        after: { 3s: '#fail.app-silent' }
      running: {}
`;
  const all = ['flash: { erase: [primary, secondary], images: [bootloader, factory] }', 'power: on', 'wait: no-image', ...steps];
  writeFileSync(file, `name: ${name}\nsteps:\n${all.map((s) => `  - ${s}`).join('\n')}\n${model}`);
  return file;
}

/** QEMU processes whose parent is `pid` (setpriv execs QEMU in place, so hil is its parent). */
const qemusOf = (pid: number) => startedBy(pid, 'qemu-system-arm');

const TAP = 'button: { press: user, hold: 20ms }';

/** [moment, steps after no-image, the step (1-based) during which QEMU is killed, ms into it] */
const MOMENTS: Array<[string, string[], number, number]> = [
  // The board sits in no-image (no button): the wait can only time out.
  ['a wait', ['wait: { state: running, timeout: 20s }'], 4, 100],
  // Killed 40 ms after the tap: the rollback has begun and copies for ~200 ms.
  ['the rollback copy', [TAP, 'wait: { state: running, timeout: 20s }'], 5, 40],
  ['a cut waiting for its state', ['cut: { when: running, within: 20s }', 'power: on', 'wait: no-image'], 4, 100],
];

describe('QEMU killed from outside mid-case', () => {
  jest.setTimeout(200_000);
  it.each(MOMENTS)(
    'during %s: a rig error naming the kill, exit 3, at once, nothing left running',
    async (moment, steps, stepNo, delayMs) => {
      const name = `killed-${moment.replace(/\W+/g, '-')}`;
      const reports = join(dir, name);
      const child = startHil(['run', scenario(name, steps), '--rig', 'virtual', '--report-dir', reports, '--wait', '150', '-v'], {
        timeoutMs: 190_000,
      });
      let out = '';
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      await untilOrAfter(() => out.includes(`step ${stepNo}:`) || child.exitCode !== null, 180_000);
      await new Promise((r) => setTimeout(r, delayMs));
      const [qemu] = qemusOf(child.pid!);
      expect({ qemu, out }).toEqual({ qemu: expect.any(String), out: expect.stringContaining(`step ${stepNo}:`) });
      const killedAt = Date.now();
      process.kill(Number(qemu!.split(' ')[0]), 'SIGKILL');
      const r = await child;
      expect(r.stdout).toMatch(/^0 passed, 0 failed, 1 errors$/m);
      expect(r.exitCode).toBe(3);
      expect(r.stdout).toMatch(/ERROR .*QEMU died.*SIGKILL/);
      // No model timeout was waited out (the shortest in the model is 2 s).
      expect(Date.now() - killedAt).toBeLessThan(2_000);
      const run = readdirSync(reports).find((d) => d !== 'junit.xml' && d !== 'index.html')!;
      expect(JSON.parse(readFileSync(join(reports, run, 'results.json'), 'utf8')).cases[0].status).toBe('error');
      expect(readFileSync(join(reports, 'junit.xml'), 'utf8')).not.toMatch(/<failure/);
      await untilOrAfter(() => qemusOf(child.pid!).length === 0, 5_000);
      expect(qemusOf(child.pid!)).toEqual([]);
    },
  );
});

describe('QEMU frozen from outside mid-case', () => {
  jest.setTimeout(200_000);
  it('kill -STOP while a wait runs: the wait times out, and the verdict is a rig error naming the frozen QEMU (exit 3), not a FAIL', async () => {
    const name = 'frozen-a-wait';
    const reports = join(dir, name);
    const child = startHil(
      [
        'run',
        scenario(name, ['wait: { state: running, timeout: 3s }']),
        '--rig',
        'virtual',
        '--report-dir',
        reports,
        '--wait',
        '150',
        '-v',
      ],
      { timeoutMs: 190_000 },
    );
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await untilOrAfter(() => out.includes('step 4:') || child.exitCode !== null, 180_000);
    const [qemu] = qemusOf(child.pid!);
    expect({ qemu, out }).toEqual({ qemu: expect.any(String), out: expect.stringContaining('step 4:') });
    const pid = Number(qemu!.split(' ')[0]);
    process.kill(pid, 'SIGSTOP');
    try {
      const r = await child;
      expect(r.stdout).toMatch(/^0 passed, 0 failed, 1 errors$/m);
      expect(r.exitCode).toBe(3);
      expect(r.stdout).toMatch(/ERROR .*QEMU \(pid \d+\) is stopped/);
      const run = readdirSync(reports).find((d) => d !== 'junit.xml' && d !== 'index.html')!;
      const result = JSON.parse(readFileSync(join(reports, run, 'results.json'), 'utf8')).cases[0];
      expect(result.status).toBe('error');
      // What the case would have failed on is kept beside the rig error.
      expect(result.detail).toMatch(/would have failed on: .*running/);
    } finally {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // already gone: hil killed it
      }
    }
    await untilOrAfter(() => qemusOf(child.pid!).length === 0, 5_000);
    expect(qemusOf(child.pid!)).toEqual([]);
  });
});

describe('gdb frozen from outside with the CPU at a breakpoint', () => {
  jest.setTimeout(200_000);
  it('kill -STOP of gdb during a code cut: the model times out on a halted CPU, and the verdict is a rig error (exit 3), not a FAIL', async () => {
    const name = 'gdb-frozen';
    const reports = join(dir, name);
    const child = startHil(
      [
        'run',
        scenario(name, ['cut: { at: { symbol: flash_program_word, hit: 300 } }', TAP]),
        '--rig',
        'virtual',
        '--report-dir',
        reports,
        '--wait',
        '150',
        '-v',
      ],
      { timeoutMs: 190_000 },
    );
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    // The cut is armed (step 4 ended): gdb is frozen while the copy runs towards its hit.
    await untilOrAfter(() => out.includes('step 5:') || child.exitCode !== null, 180_000);
    const [gdb] = startedBy(child.pid!, 'gdb-multiarch');
    expect({ gdb, out }).toEqual({ gdb: expect.any(String), out: expect.stringContaining('step 5:') });
    const pid = Number(gdb!.split(' ')[0]);
    process.kill(pid, 'SIGSTOP');
    try {
      const r = await child;
      expect(r.stdout).toMatch(/^0 passed, 0 failed, 1 errors$/m);
      expect(r.exitCode).toBe(3);
      expect(readFileSync(join(reports, 'junit.xml'), 'utf8')).not.toMatch(/<failure/);
      // The case ended on the model's own limit (2 s or 5 s without progress), not after the armed cut's 60 s.
      const run = readdirSync(reports).find((d) => d !== 'junit.xml' && d !== 'index.html')!;
      const result = JSON.parse(readFileSync(join(reports, run, 'results.json'), 'utf8')).cases[0];
      expect(result.message).toMatch(/halted by its debugger/);
      expect(result.detail).toMatch(/would have failed on: (copy|rollback)-stalled/);
    } finally {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // already gone: hil killed it
      }
    }
    await untilOrAfter(() => qemusOf(child.pid!).length === 0, 5_000);
    expect(qemusOf(child.pid!)).toEqual([]);
  });
});
