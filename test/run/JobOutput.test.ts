import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaseResult } from '../../src/report/CaseResult.js';
import type { CaseRunOptions } from '../../src/run/CaseRunner.js';
import { JobOutput } from '../../src/run/JobOutput.js';
import { ranCase } from '../helpers/results.js';

/** Cases that pass at once, each making its folder as a live case does when it starts. */
const runCase = jest.fn(async (o: CaseRunOptions): Promise<CaseResult> => {
  mkdirSync(join(o.runDir, o.spec.id), { recursive: true });
  o.log(`log of ${o.spec.id}`);
  return ranCase(o);
});
jest.unstable_mockModule('../../src/run/CaseRunner.js', () => ({ runCase }));
const { run } = await import('../../src/run/Run.js');

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'hil-job-output-'));
  mkdirSync(join(cwd, 'rigs'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

describe('JobOutput', () => {
  it('says at once while nothing is held back, else in order once the reports are written', async () => {
    const out = new JobOutput();
    const said: string[] = [];
    out.say(() => said.push('start 1'));
    expect(said).toEqual(['start 1']);
    let written!: () => void;
    out.after(new Promise<void>((resolve) => (written = resolve)), () => said.push('end 1'));
    out.say(() => said.push('start 2'));
    out.say(() => said.push('event 2'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(said).toEqual(['start 1']);
    written();
    await out.idle();
    expect(said).toEqual(['start 1', 'end 1', 'start 2', 'event 2']);
    out.say(() => said.push('end 2'));
    expect(said.at(-1)).toBe('end 2');
  });

  it('hands the first error a held-back call threw to idle', async () => {
    const out = new JobOutput();
    out.after(Promise.resolve(), () => {
      throw new Error('display broke');
    });
    out.say(() => undefined);
    await expect(out.idle()).rejects.toThrow('display broke');
  });
});

describe('a job of a run', () => {
  it('runs its next case while the last one is written to the reports, and prints each as before, once they hold it', async () => {
    const said: string[] = [];
    const runDir = () =>
      join(
        cwd,
        'reports',
        readdirSync(join(cwd, 'reports')).find((d) => d.includes('Z-'))!,
      );
    const inResults = () =>
      (JSON.parse(readFileSync(join(runDir(), 'results.json'), 'utf8')) as { cases: CaseResult[] }).cases.map((c) => c.id);
    const startedBeforePrinted: boolean[] = [];
    const plan = [
      {
        scenario: { name: 's', hitSweeps: [] },
        rig: { name: 'bench', file: join(cwd, 'rigs', 'bench.yaml'), resources: {} },
        cases: ['c1', 'c2', 'c3'].map((id) => ({ id, params: {}, repeat: 1 })),
      },
    ] as never;
    const result = await run(
      {
        scenarios: [],
        cwd,
        reportDir: 'reports',
        signal: new AbortController().signal,
        log: (m) => said.push(m),
        onCaseStart: (spec) => said.push(`start ${spec.id}`),
        onCaseEnd: (c) => {
          said.push(`end ${c.id}`);
          // On disk before it is printed.
          expect(inResults()).toContain(c.id);
          const next = `c${Number(c.id.slice(1)) + 1}`;
          if (next !== 'c4') startedBeforePrinted.push(existsSync(join(runDir(), next)));
        },
      },
      plan,
    );
    expect(result.cases.map((c) => c.status)).toEqual(['pass', 'pass', 'pass']);
    expect(said).toEqual(['start c1', 'log of c1', 'end c1', 'start c2', 'log of c2', 'end c2', 'start c3', 'log of c3', 'end c3']);
    // The job did not wait for the disk: the next case was under way when the last one was printed.
    expect(startedBeforePrinted).toEqual([true, true]);
  });
});
