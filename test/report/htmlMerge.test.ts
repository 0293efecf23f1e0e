import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJsonReport } from '../../src/report/json.js';
import type { CaseResult } from '../../src/report/CaseResult.js';
import type { RunResult } from '../../src/report/RunResult.js';
import { hil } from '../helpers/hilCli.js';

/** `hil report merge`: several runners' results.json into one JUnit, one results.json and one HTML index. */
let root: string;

function fakeRun(runner: string, runId: string, cases: Array<[string, CaseResult['status']]>): void {
  const dir = join(root, 'artifacts', runner, 'reports', runId);
  const run: RunResult = {
    runId,
    startedAt: runner === 'a' ? '2026-11-24T01:00:00.000Z' : '2026-11-24T01:00:30.000Z',
    durationMs: 60_000,
    dir,
    cases: cases.map(([id, status]) => ({
      id,
      scenario: 'demo',
      rig: `rig-${runner}`,
      params: {},
      status,
      startedAt: '2026-11-24T01:00:00.000Z',
      durationMs: 1000,
      properties: { rig: `rig-${runner}` },
      dir: id,
      consoleText: `${id} says hi`,
      ...(status === 'fail' ? { message: 'board wrong' } : {}),
    })),
  };
  for (const c of run.cases) {
    mkdirSync(join(dir, c.dir), { recursive: true });
    writeFileSync(join(dir, c.dir, 'console.log'), c.consoleText);
  }
  writeJsonReport(run, join(dir, 'results.json'));
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'hil-merge-'));
  fakeRun('a', 'run-a', [
    ['demo[x=1]', 'pass'],
    ['demo[x=3]', 'pass'],
  ]);
  fakeRun('b', 'run-b', [['demo[x=2]', 'fail']]);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('hil report merge', () => {
  it("writes one junit.xml, results.json and index.html, with links back to each runner's files, and exits 1 on a failure", async () => {
    const r = await hil(['report', 'merge', 'artifacts/a', 'artifacts/b', '--out', 'merged'], { cwd: root });
    expect(r.stdout).toMatch(/merged 2 runs/);
    expect(r.stdout).toMatch(/^2 passed, 1 failed, 0 errors$/m);
    expect(r.code).toBe(1);
    const junit = readFileSync(join(root, 'merged', 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites name="hil merged-[^"]+" tests="3" failures="1" errors="0"/);
    expect(junit).toMatch(/<property name="source.run" value="run-b"\/>/);
    const merged = JSON.parse(readFileSync(join(root, 'merged', 'results.json'), 'utf8'));
    expect(merged).toMatchObject({
      format: 'hil-results/1',
      summary: { passed: 2, failed: 1 },
      startedAt: '2026-11-24T01:00:00.000Z',
      durationMs: 90_000,
    });
    expect(merged.cases.map((c: CaseResult) => c.dir)).toEqual([
      '../artifacts/a/reports/run-a/demo[x=1]',
      '../artifacts/a/reports/run-a/demo[x=3]',
      '../artifacts/b/reports/run-b/demo[x=2]',
    ]);
    const html = readFileSync(join(root, 'merged', 'index.html'), 'utf8');
    expect(html.indexOf('data-case="demo[x=2]"')).toBeLessThan(html.indexOf('data-case="demo[x=1]"'));
    expect(html).toContain('href="../artifacts/b/reports/run-b/demo%5Bx%3D2%5D/case.html"');
    expect(readFileSync(join(root, 'artifacts/b/reports/run-b/demo[x=2]/case.html'), 'utf8')).toContain('href="console.log"');
  });

  it('merges a merge again, and says so when there is nothing to merge (exit 2)', async () => {
    await hil(['report', 'merge', 'artifacts', '--out', 'merged'], { cwd: root });
    const again = await hil(['report', 'merge', 'merged', '--out', 'again'], { cwd: root });
    expect(again.stdout).toMatch(/^2 passed, 1 failed, 0 errors$/m);
    expect(JSON.parse(readFileSync(join(root, 'again', 'results.json'), 'utf8')).cases[2].dir).toBe(
      '../artifacts/b/reports/run-b/demo[x=2]',
    );
    mkdirSync(join(root, 'empty'));
    const none = await hil(['report', 'merge', 'empty'], { cwd: root });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no results.json found/);
  });
});
