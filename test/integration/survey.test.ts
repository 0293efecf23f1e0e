import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaseResult } from '../../src/report/CaseResult.js';
import { hil, ROOT } from '../helpers/hilCli.js';
import { strayBreakSessions, strays } from '../helpers/processes.js';

/**
 * A hit sweep's cases started at their cut from one survey of the hits against the same cases run whole: the same
 * verdicts, messages and states, and, where a case failed, the same flash at the cut, byte for byte.
 */
const FIRMWARE = join(ROOT, 'rigs/virtual/firmware/build');
let reports: string;

beforeAll(() => {
  reports = mkdtempSync(join(tmpdir(), 'hil-survey-'));
});

afterAll(() => {
  expect(strays(`${ROOT}.hil/`)).toEqual([]);
  expect(strayBreakSessions()).toEqual([]);
  rmSync(reports, { recursive: true, force: true });
});

async function run(hits: string, variant: string | undefined, survey: boolean, dir: string) {
  const reportDir = join(reports, dir);
  const image = variant ? ['--image', `bootloader=${join(FIRMWARE, `bootloader-${variant}.bin`)}`] : [];
  const r = await hil(
    [
      'run',
      'rollback-powerfail-exhaustive',
      '--param',
      `hit=${hits}`,
      survey ? '--survey' : '--no-survey',
      ...image,
      '--wait',
      '240',
      '--report-dir',
      reportDir,
    ],
    { timeoutMs: 300_000 },
  );
  const runDir = join(
    reportDir,
    readdirSync(reportDir).find((d) => /^\d{4}-/.test(d))!,
  );
  const cases = (JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as { cases: CaseResult[] }).cases;
  return { ...r, runDir, cases: new Map(cases.map((c) => [c.id, c])) };
}

/** A case's flash at its cut, as kept in its folder (a case that did not pass keeps it). */
function flashAtCut(runDir: string, c: CaseResult): Buffer | undefined {
  const file = join(runDir, c.dir, 'flash-at-cut.img');
  return existsSync(file) ? readFileSync(file) : undefined;
}

describe('cases started at their cut from the survey', () => {
  it('give what the same cases run whole give, on a faulty and a good bootloader', async () => {
    const hits = '1,2,3,137,300';
    for (const variant of ['no-validate', undefined]) {
      const surveyed = await run(hits, variant, true, `${variant ?? 'good'}-survey`);
      const whole = await run(hits, variant, false, `${variant ?? 'good'}-whole`);
      expect(surveyed.code).toBe(whole.code);
      expect(surveyed.cases.size).toBe(5);
      for (const [id, w] of whole.cases) {
        const s = surveyed.cases.get(id)!;
        expect(w.properties['cut_from_survey']).toBeUndefined();
        // Mid-copy, a hit is always one the survey vouches for; near the button's release a loaded machine may
        // leave too little running before the hit, and the case runs whole, saying why.
        const from = s.properties['cut_from_survey'] ?? `ran whole: ${s.properties['cut_survey_unusable']}`;
        if (['137', '300'].includes(s.params['hit']!)) {
          expect(from).toMatch(/^steps 1-\d+ as the sweep's survey ran them, to hit \d+$/);
          // Its timeline goes back to the survey's start (a halt at every hit before this one); its duration is its own.
          const timeline = readFileSync(join(surveyed.runDir, s.dir, 'timeline.jsonl'), 'utf8')
            .trim()
            .split('\n');
          expect(s.durationMs).toBeLessThan((JSON.parse(timeline.at(-1)!) as { t: number }).t - 500);
        } else expect(from).toMatch(/^(steps 1-\d+ as the sweep's survey ran them, to hit \d+|ran whole: .+)$/);
        expect({ id, status: s.status, message: s.message, state: s.properties['cut_state'] }).toEqual({
          id,
          status: w.status,
          message: w.message,
          state: w.properties['cut_state'],
        });
        expect(s.properties['cut_anchor']).toBe(w.properties['cut_anchor']);
        expect(s.properties['cut_pc']).toBe(w.properties['cut_pc']);
        // The case's console still holds the boot before the cut, as the survey saw it.
        expect(s.consoleText).toMatch(/MCUboot Bootloader Started[\s\S]*No valid image found[\s\S]*MCUboot Bootloader Started/);
        const kept = flashAtCut(surveyed.runDir, s);
        expect(kept === undefined).toBe(flashAtCut(whole.runDir, w) === undefined);
        if (kept) expect(kept.equals(flashAtCut(whole.runDir, w)!)).toBe(true);
      }
      if (variant) expect([...surveyed.cases.values()].filter((c) => c.status === 'fail').length).toBeGreaterThanOrEqual(3);
      else expect([...surveyed.cases.values()].every((c) => c.status === 'pass')).toBe(true);
    }
  }, 600_000);

  it('ends at a pause in the hits when the model marks no state cuttable', async () => {
    const folder = join(reports, 'uncuttable');
    mkdirSync(folder);
    const file = join(folder, 'uncuttable.yaml');
    const exhaustive = readFileSync(join(ROOT, 'scenarios/rollback-powerfail-exhaustive.yaml'), 'utf8');
    writeFileSync(file, exhaustive.replace(/^name: .*$/m, 'name: uncuttable').replace(/^\s*cuttable: true.*\n/m, ''));
    const r = await hil(
      [
        'run',
        file,
        '--rig',
        join(ROOT, 'rigs/virtual.yaml'),
        '--survey',
        '--param',
        'hit=300',
        '--wait',
        '240',
        '--report-dir',
        join(folder, 'reports'),
      ],
      { timeoutMs: 300_000 },
    );
    expect(r.all).toMatch(/uncuttable: survey of flash_program_word: 553 hits in/);
    expect(r.stdout).toMatch(/^1 passed, 0 failed, 0 errors$/m);
  }, 300_000);
});
