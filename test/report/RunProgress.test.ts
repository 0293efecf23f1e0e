import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonReportChunks, renderJsonCase, renderJsonReport } from '../../src/report/json.js';
import { junitChunks, renderJunit, renderJunitCase } from '../../src/report/junit.js';
import { RunProgress } from '../../src/report/RunProgress.js';
import { writeHtmlReport } from '../../src/report/html.js';
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

  it('cost each case about the same CPU late in a long sweep as early (each case is rendered once)', async () => {
    const progress = new RunProgress(runResult([], { dir }), join(dir, 'latest-junit.xml'), () => undefined);
    const cpuOf = async (from: number, to: number) => {
      const start = process.cpuUsage();
      for (let hit = from; hit < to; hit++) await progress.caseEnded(sweepCase(hit));
      return cpuMsSince(start);
    };
    await cpuOf(1, 21);
    const early = await cpuOf(21, 41);
    await cpuOf(41, 461);
    const late = await cpuOf(461, 481);
    // Rendering every case at each rewrite made a case at 460 cost ~20 times one at 20 (twice the CPU per case
    // per 50 cases); rendered once, what grows is only writing the files.
    expect(late).toBeLessThan(early * 8 + 200);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(results.cases).toHaveLength(480);
    expect(results.unfinished).toBe(true);
    expect(results.summary).toMatchObject({ passed: 480 });
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toBe(readFileSync(join(dir, 'latest-junit.xml'), 'utf8'));
  });

  it('are rewritten off the turn a case ends in, and hold the case once its promise resolves', async () => {
    const progress = new RunProgress(runResult([], { dir }), join(dir, 'latest-junit.xml'), () => undefined);
    const ids = (file: string) => (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { cases: CaseResult[] }).cases.map((c) => c.id);
    const logged = () => readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').length;
    const first = progress.caseEnded(sweepCase(1));
    // results.jsonl (what a merge of a killed run reads) at once; the big files are written by libuv's threads,
    // not on the event loop the jobs' consoles and cuts share.
    expect(logged()).toBe(1);
    expect(ids('results.json')).toEqual([]);
    await first;
    expect(ids('results.json')).toEqual([sweepCase(1).id]);

    // Cases ending before the next rewrite starts share it; each promise resolves with its case on disk.
    const seen: string[][] = [];
    const ended = [2, 3, 4].map((hit) => progress.caseEnded(sweepCase(hit)).then(() => seen.push(ids('results.json'))));
    await Promise.all(ended);
    await progress.idle();
    expect(seen.map((s) => s.length)).toEqual([4, 4, 4]);
    expect(ids('results.json')).toEqual([1, 2, 3, 4].map((hit) => sweepCase(hit).id));
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect([...junit.matchAll(/<testcase name="([^"]+)"/g)].map((m) => m[1])).toEqual([1, 2, 3, 4].map((hit) => sweepCase(hit).id));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it("write junit.xml once per rewrite: the latest run's copy is a link to the same bytes", async () => {
    const progress = new RunProgress(runResult([], { dir }), join(dir, 'latest-junit.xml'), () => undefined);
    await progress.caseEnded(sweepCase(1));
    await progress.caseEnded(sweepCase(2));
    expect(statSync(join(dir, 'latest-junit.xml')).ino).toBe(statSync(join(dir, 'junit.xml')).ino);
    expect(readFileSync(join(dir, 'latest-junit.xml'), 'utf8')).toContain(sweepCase(2).id);
  });

  it('write each case page as the case ends, as the end of the run would, which then leaves it', async () => {
    const progress = new RunProgress(runResult([], { dir }), undefined, () => undefined);
    const cases = [sweepCase(1), sweepCase(2, { dir: '' })];
    mkdirSync(join(dir, cases[0]!.dir));
    const events = [
      { t: 0, type: 'case', id: cases[0]!.id },
      { t: 1.5, type: 'line', text: '[INF] Copying factory image 0%' },
      { t: 2, type: 'power', state: 'off', cause: 'cut' },
    ];
    writeFileSync(join(dir, cases[0]!.dir, 'timeline.jsonl'), events.map((e) => JSON.stringify(e)).join('\n'));
    for (const c of cases) await progress.caseEnded(c);
    await progress.idle();
    expect([...progress.pagesWritten]).toEqual([cases[0]]);
    const page = join(dir, cases[0]!.dir, 'case.html');
    const written = readFileSync(page, 'utf8');
    const { ino } = statSync(page);
    const run = runResult(cases, { dir });
    writeHtmlReport(run, dir, progress.pagesWritten);
    expect(statSync(page).ino).toBe(ino);
    rmSync(page);
    writeHtmlReport(run, dir);
    expect(readFileSync(page, 'utf8')).toBe(written);
    expect(written).toContain('Copying factory image 0%');
  });

  it('render a case for the reports a turn of the event loop after it ended, once the job went on', async () => {
    const progress = new RunProgress(runResult([], { dir }), undefined, () => undefined);
    const c = sweepCase(1);
    mkdirSync(join(dir, c.dir));
    // Read by the renderers of junit.xml and case.html, not by results.jsonl's line (a hidden field).
    let rendered = false;
    const consoleText = c.consoleText;
    Object.defineProperty(c, 'consoleText', {
      enumerable: false,
      get: () => ((rendered = true), consoleText),
    });
    const ended = progress.caseEnded(c);
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(rendered).toBe(false);
    expect(readFileSync(join(dir, 'results.jsonl'), 'utf8')).toContain(c.id);
    await ended;
    await progress.idle();
    expect(rendered).toBe(true);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('Copying factory image 39%');
    expect(readFileSync(join(dir, c.dir, 'case.html'), 'utf8')).toContain(c.id);
  });

  it('make a report folder again when it went away mid-run', async () => {
    const latest = join(dir, 'latest', 'junit.xml');
    const progress = new RunProgress(runResult([], { dir }), latest, () => undefined);
    rmSync(join(dir, 'latest'), { recursive: true });
    await progress.caseEnded(sweepCase(1));
    expect(readFileSync(latest, 'utf8')).toContain(sweepCase(1).id);
  });

  it('say a file it cannot write once, and go on writing the others', async () => {
    const said: string[] = [];
    const progress = new RunProgress(runResult([], { dir }), join(dir, 'gone', 'latest-junit.xml'), (m) => said.push(m));
    rmSync(join(dir, 'gone'), { recursive: true });
    // A file where the folder was: neither a link nor a write can go there.
    writeFileSync(join(dir, 'gone'), '');
    await progress.caseEnded(sweepCase(1));
    await progress.caseEnded(sweepCase(2));
    expect(said).toEqual([
      expect.stringMatching(/^cannot write .*gone\/latest-junit\.xml: .*\(the run goes on; its reports are tried again at its end\)$/),
    ]);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain(sweepCase(2).id);
    expect((JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { cases: unknown[] }).cases).toHaveLength(2);
  });
});
