import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil, startHil } from '../helpers/hilCli.js';
import { alive, childrenOf } from '../helpers/processes.js';
import { untilOrAfter } from '../helpers/until.js';

/**
 * A nightly killed outright (CI's timeout sends SIGKILL): the cases that ended before the kill are in the run's
 * junit.xml, results.json and results.jsonl and in reports/junit.xml, exactly those; `hil report merge` reads
 * the folder; the board's QEMU and gdb die with hil.
 */
const reports = mkdtempSync(join(tmpdir(), 'hil-run-killed-'));

afterAll(() => {
  rmSync(reports, { recursive: true, force: true });
});

describe('a run killed by SIGKILL', () => {
  jest.setTimeout(200_000);
  it('keeps exactly the cases that ended, in every report, and leaves nothing running', async () => {
    const child = startHil(
      ['run', 'rollback-powerfail', '--param', 'cut_after=20ms,40ms,60ms,80ms,100ms', '--report-dir', reports, '--wait', '150'],
      { timeoutMs: 190_000 },
    );
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await untilOrAfter(() => out.includes('[3/5]') || child.exitCode !== null, 180_000);
    const helpers = childrenOf(child.pid!);
    process.kill(child.pid!, 'SIGKILL');
    const r = await child;
    expect(r.signal).toBe('SIGKILL');
    const ended = [...r.stdout.matchAll(/^ {2}(PASS|FAIL|ERROR|SKIP) (\S+) \(/gm)].map((m) => m[2]);
    expect(ended).toEqual(['rollback-powerfail[cut_after=20ms]', 'rollback-powerfail[cut_after=40ms]']);

    const run = readdirSync(reports).find((d) => d.includes('Z-'))!;
    const dir = join(reports, run);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(results.unfinished).toBe(true);
    expect(results.cases.map((c: { id: string }) => c.id)).toEqual(ended);
    const logged = readFileSync(join(dir, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).id);
    expect(logged).toEqual(ended);
    for (const junit of [join(dir, 'junit.xml'), join(reports, 'junit.xml')]) {
      const xml = readFileSync(junit, 'utf8');
      expect([...xml.matchAll(/<testcase name="([^"]+)"/g)].map((m) => m[1])).toEqual(ended);
      expect(xml).toContain('<property name="unfinished" value="true"/>');
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // The killed run's folder merges; never green, since it did not finish.
    const merged = await hil(['report', 'merge', dir, '--out', join(reports, 'merged')]);
    expect(merged.stdout).toMatch(/^2 passed, 0 failed, 0 errors$/m);
    expect(merged.code).toBe(3);

    // QEMU and gdb die with hil (their parent-death signal), at once.
    expect(helpers.length).toBeGreaterThan(0);
    await untilOrAfter(() => !helpers.some(alive), 5_000);
    expect(helpers.filter(alive)).toEqual([]);
    expect(existsSync(join(dir, 'index.html'))).toBe(false);
  });
});
