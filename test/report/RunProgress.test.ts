import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonReportChunks, renderJsonCase, renderJsonReport } from '../../src/report/json.js';
import { junitChunks, renderJunit, renderJunitCase } from '../../src/report/junit.js';
import { RunProgress } from '../../src/report/RunProgress.js';
import type { CaseResult } from '../../src/report/CaseResult.js';
import { cpuMsSince } from '../helpers/cpuTime.js';
import { caseResult, runResult } from '../helpers/results.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-progress-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A case of an exhaustive sweep as big as a real one (~8 KB in results.json): its console and coverage. */
function sweepCase(hit: number, extra: Partial<CaseResult> = {}): CaseResult {
  const lines = Array.from(
    { length: 40 },
    (_, i) => `[${(i / 100).toFixed(3).padStart(10)}] [INF] Copying factory image ${i}% "q" <x> & \u0000`,
  );
  return caseResult({
    id: `rollback-powerfail-exhaustive[hit=${hit}]`,
    params: { hit: String(hit) },
    dir: `rollback-powerfail-exhaustive_hit=${hit}`,
    consoleText: lines.join('\n'),
    properties: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`property.${i}`, `value ${i} ${'ab'.repeat(16)}`])),
    cuts: [{ anchor: `flash_program_word hit ${hit}`, lateMs: 0.4, latencyMs: 9.5, state: 'copying' }] as unknown as CaseResult['cuts'],
    coverage: {
      states: ['off', 'booting', 'copying'],
      visited: ['off', 'booting', 'copying'],
      transitions: Array.from({ length: 12 }, (_, i) => ({ from: `s${i}`, event: 'E', to: `s${i + 1}`, count: i })),
    } as unknown as CaseResult['coverage'],
    ...extra,
  });
}

describe('results.json and junit.xml from cases rendered as they ended', () => {
  it('are byte for byte what rendering the whole run gives', () => {
    const cases = [
      sweepCase(1),
      sweepCase(2, { status: 'fail', message: 'booted-invalid-slot', detail: 'a\nb', consoleText: 'lone \ud800 emoji 🔥' }),
      sweepCase(3, { status: 'skipped', message: 'end of the sweep', consoleText: '' }),
      caseResult({ id: 'other[x=1]', scenario: 'other', status: 'error', message: 'rig' }),
    ];
    const run = runResult(cases, { unfinished: true, interrupted: 'SIGTERM' });
    const json = (r: typeof run) =>
      Buffer.concat(
        jsonReportChunks(
          r,
          r.cases.map((c) => Buffer.from(renderJsonCase(c))),
        ),
      ).toString();
    expect(json(run)).toBe(renderJsonReport(run));
    expect(JSON.parse(json(run)).cases).toEqual(JSON.parse(JSON.stringify(cases)));
    expect(Buffer.concat(junitChunks(run, (c) => Buffer.from(renderJunitCase(c)))).toString()).toBe(renderJunit(run));
    // No case yet: the document as it always was.
    expect(json(runResult([]))).toBe(renderJsonReport(runResult([])));
  });

  it('cost each case about the same CPU late in a long sweep as early (each case is rendered once)', () => {
    const progress = new RunProgress(runResult([], { dir }), join(dir, 'latest-junit.xml'), () => undefined);
    const cpuOf = (from: number, to: number) => {
      const start = process.cpuUsage();
      for (let hit = from; hit < to; hit++) progress.caseEnded(sweepCase(hit));
      return cpuMsSince(start);
    };
    cpuOf(1, 21);
    const early = cpuOf(21, 41);
    cpuOf(41, 461);
    const late = cpuOf(461, 481);
    // Rendering every case at each rewrite made a case at 460 cost ~20 times one at 20 (twice the CPU per case
    // per 50 cases); rendered once, what grows is only writing the files.
    expect(late).toBeLessThan(early * 8 + 200);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(results.cases).toHaveLength(480);
    expect(results.unfinished).toBe(true);
    expect(results.summary).toMatchObject({ passed: 480 });
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toBe(readFileSync(join(dir, 'latest-junit.xml'), 'utf8'));
  });
});
