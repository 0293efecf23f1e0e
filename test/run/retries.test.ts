import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaseResult } from '../../src/report/CaseResult.js';
import type { CaseRunOptions } from '../../src/run/CaseRunner.js';
import { ranCase } from '../helpers/results.js';

/** `--retries`: errored cases only, every attempt recorded, a pass after an error is flaky. runCase is scripted. */
const script: Array<CaseResult['status']> = [];
const runCase = jest.fn(async (o: CaseRunOptions): Promise<CaseResult> => {
  const status = script.shift()!;
  mkdirSync(join(o.runDir, o.spec.id), { recursive: true });
  return ranCase(o, { status, message: status === 'pass' ? undefined : `${status}!` });
});
jest.unstable_mockModule('../../src/run/CaseRunner.js', () => ({ runCase }));
const { run } = await import('../../src/run/Run.js');

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'hil-retries-'));
  mkdirSync(join(cwd, 'rigs'));
  runCase.mockClear();
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

async function runOne(statuses: Array<CaseResult['status']>, retries: number, quarantineAfter = 0) {
  script.splice(0, script.length, ...statuses);
  const plan = [
    {
      scenario: { name: 's', hitSweeps: [] },
      rig: { name: 'bench', file: join(cwd, 'rigs', 'bench.yaml'), resources: {} },
      cases: [{ id: 'c', params: {}, repeat: 1 }],
    },
  ] as never;
  const log: string[] = [];
  const result = await run(
    { scenarios: [], cwd, reportDir: 'reports', retries, quarantineAfter, signal: new AbortController().signal, log: (m) => log.push(m) },
    plan,
  );
  return { result, c: result.cases[0]!, log };
}

describe('--retries', () => {
  it('retries an errored case, keeps each attempt, and reports a pass on retry as flaky', async () => {
    const { result, c, log } = await runOne(['error', 'error', 'pass'], 3);
    expect(runCase).toHaveBeenCalledTimes(3);
    expect(c.status).toBe('pass');
    expect(c.properties).toMatchObject({
      attempts: '3',
      'attempt.1.status': 'error',
      'attempt.1.message': 'error!',
      'attempt.1.dir': 'c.attempt-1',
      'attempt.2.status': 'error',
      'attempt.3.status': 'pass',
      flaky: 'true',
    });
    expect(readdirSync(result.dir).sort()).toEqual([
      'c',
      'c.attempt-1',
      'c.attempt-2',
      'index.html',
      'junit.xml',
      'results.json',
      'results.jsonl',
    ]);
    expect(readFileSync(join(result.dir, 'junit.xml'), 'utf8')).toMatch(/<property name="flaky" value="true"\/>/);
    expect(JSON.parse(readFileSync(join(result.dir, 'results.json'), 'utf8')).cases[0].properties.flaky).toBe('true');
    expect(log.join('\n')).toMatch(/rig error, retrying c \(attempt 2 of 4\): error!/);
  });

  it('never retries a failed case (the board misbehaved) nor a pass', async () => {
    expect((await runOne(['fail', 'pass'], 3)).c.status).toBe('fail');
    expect(runCase).toHaveBeenCalledTimes(1);
    expect((await runOne(['pass'], 3)).c.properties).not.toHaveProperty('attempts');
  });

  it('stops at the limit and keeps the error, not flaky', async () => {
    const { c } = await runOne(['error', 'error', 'error'], 1);
    expect(runCase).toHaveBeenCalledTimes(2);
    expect(c).toMatchObject({ status: 'error', properties: { attempts: '2' } });
    expect(c.properties).not.toHaveProperty('flaky');
  });

  it('stops retrying once the rig is quarantined', async () => {
    const { c } = await runOne(['error', 'error', 'error', 'pass'], 5, 2);
    expect(runCase).toHaveBeenCalledTimes(2);
    expect(c.status).toBe('error');
    expect(existsSync(join(cwd, '.hil', 'quarantine', 'bench.json'))).toBe(true);
  });
});
