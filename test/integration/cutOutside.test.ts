import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil } from '../helpers/hilCli.js';
import { processesMentioning } from '../helpers/processes.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Results {
  cases: Array<{ id: string; status: string; message?: string; cuts?: Array<{ state: string }> }>;
}

describe('a timed cut that lands after the state it was timed from', () => {
  it('is a skip naming where it landed (console, sweep summary, JUnit, results.json), and the run exits 0', async () => {
    const project = mkdtempSync(join(tmpdir(), 'hil-cut-outside-'));
    dirs.push(project);
    mkdirSync(join(project, 'scenarios'));
    // The rollback copy takes ~200 ms: 800 ms after it began, the factory app is running.
    const r = await hil(['run', 'rollback-powerfail', '--param', 'cut_after=20ms,800ms'], { cwd: project, timeoutMs: 90_000 });
    const skip = 'cut landed in factory-running, after copying ended';
    expect(r.stdout).toContain(`SKIP rollback-powerfail[cut_after=800ms]`);
    expect(r.stdout).toMatch(
      /^Skipped \(these points asserted nothing; neither a pass nor a fail\):\n {2}SKIP {2}rollback-powerfail\[cut_after=800ms\]: cut landed in factory-running, after copying ended$/m,
    );
    expect(r.stdout).not.toMatch(/Not passing/);
    expect(r.stdout).toMatch(/^1 passed, 0 failed, 0 errors, 1 skipped$/m);
    expect(r.code).toBe(0);

    const reports = join(project, 'reports');
    const runDir = readdirSync(reports).find((d) => d !== 'junit.xml' && d !== 'index.html')!;
    const results = JSON.parse(readFileSync(join(reports, runDir, 'results.json'), 'utf8')) as Results;
    expect(results.cases.map((c) => [c.status, c.message])).toEqual([
      ['pass', undefined],
      ['skipped', skip],
    ]);
    expect(results.cases[1]!.cuts?.map((c) => c.state)).toEqual(['factory-running']);
    const junit = readFileSync(join(reports, runDir, 'junit.xml'), 'utf8');
    expect(junit).toContain(`<skipped message="${skip}"/>`);
    expect(junit).toMatch(/skipped="1"/);
    expect(processesMentioning(`${project}/.hil/`)).toEqual([]);
  }, 120_000);
});
