import { afterEach, beforeEach, describe, it, expect } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RigError } from '../../src/core/errors.js';
import { RESULTS_FORMAT, writeJsonReport } from '../../src/report/json.js';
import { summaryLine } from '../../src/report/summary.js';
import type { CaseStatus } from '../../src/core/outcome.js';
import { caseResult, runResult } from '../helpers/results.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-json-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const withStatuses = (...statuses: CaseStatus[]) => runResult(statuses.map((status, i) => caseResult({ id: `c${i}`, status })));

describe('summaryLine', () => {
  it('says passed, failed and errors, always in that form', () => {
    expect(summaryLine(withStatuses('pass', 'pass', 'pass', 'fail'))).toBe('3 passed, 1 failed, 0 errors');
    expect(summaryLine(withStatuses())).toBe('0 passed, 0 failed, 0 errors');
    expect(summaryLine(withStatuses('error', 'error', 'fail'))).toBe('0 passed, 1 failed, 2 errors');
  });
  it('adds skipped only when some were', () => {
    expect(summaryLine(withStatuses('pass', 'skipped', 'skipped', 'error'))).toBe('1 passed, 0 failed, 1 errors, 2 skipped');
  });
});

describe('writeJsonReport', () => {
  it('writes the whole run with its format and counts, valid JSON whatever the console held', () => {
    const run = runResult(
      [
        caseResult({ consoleText: 'lone \ud800 NUL \u0000 emoji 🔥', detail: 'x', status: 'fail', message: 'm' }),
        caseResult({ id: 'b', status: 'skipped' }),
      ],
      { interrupted: 'SIGTERM' },
    );
    const file = join(dir, 'run', 'results.json');
    writeJsonReport(run, file);
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    expect(parsed.format).toBe(RESULTS_FORMAT);
    expect(parsed.summary).toEqual({ passed: 0, failed: 1, errors: 0, skipped: 1 });
    expect(parsed.runId).toBe(run.runId);
    expect(parsed.interrupted).toBe('SIGTERM');
    expect(parsed.cases).toHaveLength(2);
    expect(parsed.cases[0]).toEqual({ ...run.cases[0], consoleText: 'lone \ufffd NUL \u0000 emoji 🔥'.replace('\ufffd', '\ud800') });
    expect(readFileSync(file, 'utf8')).toContain('\\ud800');
  });

  it('reports an unwritable place as a RigError', () => {
    writeFileSync(join(dir, 'f'), '');
    expect(() => writeJsonReport(runResult([]), join(dir, 'f', 'results.json'))).toThrow(RigError);
  });
});
