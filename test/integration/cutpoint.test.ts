import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil, ROOT } from '../helpers/hilCli.js';
import { strayBreakSessions, strays } from '../virtual/strays.js';

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
  const r = await hil(['run', 'rollback-powerfail-exhaustive', '--param', `hit=${hits}`, ...image, '--wait', '240', '--report-dir', reportDir], { timeoutMs: 300_000 });
  return { ...r, junit: readFileSync(join(reportDir, 'junit.xml'), 'utf8') };
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
  }, 300_000);

  it('hit: { every: 200 } samples the copy, 1, 201, 401, and ends at the first hit the firmware never makes', async () => {
    const dir = join(reports, 'sampled');
    mkdirSync(dir);
    const file = join(dir, 'sampled.yaml');
    const exhaustive = readFileSync(join(ROOT, 'scenarios/rollback-powerfail-exhaustive.yaml'), 'utf8');
    writeFileSync(file, exhaustive.replace(/^name: .*$/m, 'name: sampled').replace('hit: all,', 'hit: { every: 200 },'));
    const r = await hil(['run', file, '--rig', join(ROOT, 'rigs/virtual.yaml'), '--wait', '240', '--report-dir', join(dir, 'reports')], { timeoutMs: 300_000 });
    expect(r.stdout).toMatch(/^3 passed, 0 failed, 0 errors, 1 skipped$/m);
    expect(r.stdout).toMatch(/^ {2}SKIP sampled\[hit=601\] \([\d.]+s\): end of the sweep: no hit 601 \(the firmware made fewer calls\)$/m);
    expect(r.code).toBe(0);
    const junit = readFileSync(join(dir, 'reports', 'junit.xml'), 'utf8');
    for (const hit of [1, 201, 401]) expect(junit).toContain(`name="cut_anchor" value="flash_program_word hit ${hit}"`);
    expect(junit).toMatch(/<testcase [^>]*name="sampled\[hit=601\]"[^>]*>\s*<properties>[^]*?<\/properties>\s*<skipped message="end of the sweep/);
  }, 300_000);

  it('upgrade-powerfail-exhaustive: the good bootloader redoes a cut upgrade, early-complete strands the board', async () => {
    const run = async (variant: string | undefined) => {
      const dir = join(reports, `upgrade-${variant ?? 'good'}`);
      const image = variant ? ['--image', `bootloader=${join(FIRMWARE, `bootloader-${variant}.bin`)}`] : [];
      return hil(['run', 'upgrade-powerfail-exhaustive', '--param', 'hit=300', ...image, '--wait', '240', '--report-dir', dir], { timeoutMs: 300_000 });
    };
    const good = await run(undefined);
    expect(good.stdout).toMatch(/^1 passed, 0 failed, 0 errors$/m);
    const early = await run('early-complete');
    expect(early.stdout).toMatch(/^ {2}FAIL upgrade-powerfail-exhaustive\[hit=300\] .*No valid image found/m);
    expect(early.code).toBe(1);
  }, 300_000);
});
