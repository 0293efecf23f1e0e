import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil, ROOT } from '../helpers/hilCli.js';
import { strayBreakSessions, strays } from '../helpers/processes.js';

/**
 * Exact cut points through the built CLI: rollback-powerfail-exhaustive cuts before the N-th flash word program
 * of the rollback copy (a gdb breakpoint holds the CPU there until power goes). A few points stand for the sweep.
 */
const FIRMWARE = join(ROOT, 'rigs/virtual/firmware/build');
let reports: string;

beforeAll(() => {
  reports = mkdtempSync(join(tmpdir(), 'hil-cutpoint-'));
});

afterAll(() => {
  expect(strays(`${ROOT}.hil/`)).toEqual([]);
  expect(strayBreakSessions()).toEqual([]);
  rmSync(reports, { recursive: true, force: true });
});

async function sweep(hits: string, variant: string | undefined, dir: string) {
  const reportDir = join(reports, dir);
  const image = variant ? ['--image', `bootloader=${join(FIRMWARE, `bootloader-${variant}.bin`)}`] : [];
  // --wait: other test files run scenarios on the same virtual rig at the same time; queue for it.
  const r = await hil(
    ['run', 'rollback-powerfail-exhaustive', '--param', `hit=${hits}`, ...image, '--wait', '240', '--report-dir', reportDir],
    { timeoutMs: 300_000 },
  );
  return { ...r, junit: readFileSync(join(reportDir, 'junit.xml'), 'utf8') };
}

/** An exhaustive scenario with its `hit: all` replaced by a sample, run on the virtual rig. */
async function sampled(scenario: string, hit: string, variant: string | undefined, dir: string) {
  const folder = join(reports, dir);
  mkdirSync(folder);
  const file = join(folder, 'sampled.yaml');
  const exhaustive = readFileSync(join(ROOT, `scenarios/${scenario}.yaml`), 'utf8');
  writeFileSync(file, exhaustive.replace(/^name: .*$/m, 'name: sampled').replace('hit: all,', `hit: ${hit},`));
  const image = variant ? ['--image', `bootloader=${join(FIRMWARE, `bootloader-${variant}.bin`)}`] : [];
  const r = await hil(
    ['run', file, '--rig', join(ROOT, 'rigs/virtual.yaml'), ...image, '--wait', '240', '--report-dir', join(folder, 'reports')],
    { timeoutMs: 300_000 },
  );
  return { ...r, junit: readFileSync(join(folder, 'reports', 'junit.xml'), 'utf8') };
}

describe('cut at the N-th flash_program_word', () => {
  it('the good bootloader survives a cut before the 2nd word and mid-body', async () => {
    const r = await sweep('2,250', undefined, 'good');
    expect(r.stdout).toMatch(/^2 passed, 0 failed, 0 errors$/m);
    expect(r.code).toBe(0);
    for (const hit of [2, 250]) expect(r.junit).toContain(`name="cut_anchor" value="flash_program_word hit ${hit}"`);
    // Each cut landed where the breakpoint was: the bootloader's flash_program_word.
    expect(r.junit).toMatch(/name="cut_pc" value="0x210[0-9a-f]{5}"/);
  }, 300_000);

  it('no-validate boots a slot holding one word (hit 2) and a half-copied one (hit 250): both points fail', async () => {
    const r = await sweep('2,250', 'no-validate', 'no-validate');
    expect(r.stdout).toMatch(/^0 passed, 2 failed, 0 errors$/m);
    expect(r.code).toBe(1);
    expect(r.junit).toMatch(/<failure message="[^"]*in state [a-z-.]+/);
    expect(r.junit).not.toMatch(/<error/);
    // Each failing point names the command that stops its replay just before the cut.
    for (const hit of [2, 250])
      expect(r.stdout).toContain(
        `hil debug 'rollback-powerfail-exhaustive[hit=${hit}]' --image bootloader=${join(FIRMWARE, 'bootloader-no-validate.bin')}`,
      );
  }, 300_000);

  it('hit: { every: 200 } samples the copy, 1 to 4, 201, 401, ends at the first hit the firmware never makes, then cuts at the last 4', async () => {
    const r = await sampled('rollback-powerfail-exhaustive', '{ every: 200 }', undefined, 'sampled');
    expect(r.stdout).toMatch(/^10 passed, 0 failed, 0 errors, 1 skipped$/m);
    expect(r.stdout).toMatch(/^ {2}SKIP sampled\[hit=601\] \([\d.]+s\): end of the sweep: no hit 601 \(the firmware made 553 calls\)$/m);
    expect(r.code).toBe(0);
    // The last hit is the copy's last word, the header's: cut there, the good bootloader's hash check refuses the slot.
    for (const hit of [1, 2, 3, 4, 201, 401, 550, 551, 552, 553])
      expect(r.junit).toContain(`name="cut_anchor" value="flash_program_word hit ${hit}"`);
    expect(r.junit).toMatch(
      /<testcase [^>]*name="sampled\[hit=601\]"[^>]*>\s*<properties>[^]*?<\/properties>\s*<skipped message="end of the sweep/,
    );
  }, 300_000);

  it('a `within` shorter than the copy: no hit is declared missing while the board is still copying, so the count is the whole 553', async () => {
    const folder = join(reports, 'short-within');
    mkdirSync(folder);
    const file = join(folder, 'short.yaml');
    const exhaustive = readFileSync(join(ROOT, 'scenarios/rollback-powerfail-exhaustive.yaml'), 'utf8');
    expect(exhaustive).toContain('within: 2s');
    writeFileSync(file, exhaustive.replace(/^name: .*$/m, 'name: short').replace('within: 2s', 'within: 300ms'));
    const r = await hil(
      ['run', file, '--rig', join(ROOT, 'rigs/virtual.yaml'), '--param', 'hit=100000', '--wait', '240', '--report-dir', join(folder, 'r')],
      { timeoutMs: 300_000 },
    );
    expect(r.stdout).toMatch(
      /^ {2}FAIL short\[hit=100000\] \([\d.]+s\): cut: flash_program_word hit 100000 not reached within [\d.]+m?s: 553 calls/m,
    );
  }, 300_000);

  it('an explicit hit past the last fails (hit N not reached), by --param or --case; only a sweep ends there as a skip', async () => {
    for (const [dir, args] of [
      ['past-param', ['--param', 'hit=100000']],
      ['past-case', ['--case', 'rollback-powerfail-exhaustive[hit=100000]']],
    ] as const) {
      const reportDir = join(reports, dir);
      const r = await hil(['run', 'rollback-powerfail-exhaustive', ...args, '--wait', '240', '--report-dir', reportDir], {
        timeoutMs: 300_000,
      });
      // `within: 2s`, moved on by 2 s at a time while the copy is still under way (a loaded machine: 4s, 6s).
      expect(r.stdout).toMatch(
        /^ {2}FAIL rollback-powerfail-exhaustive\[hit=100000\] \([\d.]+s\): cut: flash_program_word hit 100000 not reached within \d*[02468]s: 553 calls/m,
      );
      expect(r.stdout).toMatch(/^0 passed, 1 failed, 0 errors$/m);
      expect(r.code).toBe(1);
      const junit = readFileSync(join(reportDir, 'junit.xml'), 'utf8');
      expect(junit).toMatch(/<failure message="cut: flash_program_word hit 100000 not reached/);
      expect(junit).not.toMatch(/<skipped|sweep_end/);
    }
  }, 300_000);

  it('a coarse sample (every 1000 of 553 hits) catches header-first by its last hits alone', async () => {
    const r = await sampled('rollback-powerfail-exhaustive', '{ every: 1000 }', 'header-first', 'coarse');
    // Cut in its first 4 words, the header it writes first is not yet well-formed: those points pass. Cut before
    // any of the last 4, it boots a slot whose hash TLV is not all written: the only points that show the fault.
    for (const hit of [1, 2, 3, 4]) expect(r.stdout).toMatch(new RegExp(`^ {2}PASS sampled\\[hit=${hit}\\] `, 'm'));
    for (const hit of [550, 551, 552, 553])
      expect(r.stdout).toMatch(new RegExp(`^ {2}FAIL sampled\\[hit=${hit}\\] .*model is in factory-running`, 'm'));
    expect(r.stdout).toMatch(/^4 passed, 4 failed, 0 errors, 1 skipped$/m);
    expect(r.code).toBe(1);
  }, 300_000);

  it('upgrade-powerfail-exhaustive: the good bootloader redoes a cut upgrade at every sampled hit, early-complete strands the board', async () => {
    const good = await sampled('upgrade-powerfail-exhaustive', '{ every: 256 }', undefined, 'upgrade-good');
    expect(good.stdout).toMatch(/^10 passed, 0 failed, 0 errors, 1 skipped$/m);
    expect(good.stdout).toMatch(/end of the sweep: no hit 769 \(the firmware made 552 calls\)/);
    for (const hit of [1, 4, 257, 513, 549, 552]) expect(good.stdout).toMatch(new RegExp(`^ {2}PASS sampled\\[hit=${hit}\\] `, 'm'));
    const dir = join(reports, 'upgrade-early-complete');
    const image = ['--image', `bootloader=${join(FIRMWARE, 'bootloader-early-complete.bin')}`];
    const early = await hil(['run', 'upgrade-powerfail-exhaustive', '--param', 'hit=300', ...image, '--wait', '240', '--report-dir', dir], {
      timeoutMs: 300_000,
    });
    expect(early.stdout).toMatch(/^ {2}FAIL upgrade-powerfail-exhaustive\[hit=300\] .*No valid image found/m);
    expect(early.code).toBe(1);
  }, 300_000);
});
