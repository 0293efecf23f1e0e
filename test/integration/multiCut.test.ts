import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil, ROOT } from '../helpers/hilCli.js';
import { strayBreakSessions, strays } from '../helpers/processes.js';

/**
 * A double fault on the virtual rig: a cut in the rollback copy, then one in the rollback that recovers from it.
 * The recovery erases the slot first, so at the second cut the flash no longer depends on where the first landed:
 * the second case to reach each state is pruned there.
 */
let reports: string;

beforeAll(() => {
  reports = mkdtempSync(join(tmpdir(), 'hil-multicut-'));
});

afterAll(() => {
  expect(strays(`${ROOT}.hil/`)).toEqual([]);
  expect(strayBreakSessions()).toEqual([]);
  rmSync(reports, { recursive: true, force: true });
});

describe('cuts during the recovery from a cut', () => {
  it('runs each state once: the points of the second cut after another first cut are pruned', async () => {
    const r = await hil(['run', 'rollback-powerfail-double', '--param', 'hit=2,3', '--param', 'hit2=2,40', '--report-dir', reports], {
      timeoutMs: 300_000,
    });
    // The second cut's state is compared once the console had everything the board printed before the cut, so
    // whether Node had read the recovery's first progress line at the halt does not matter: after the recovery's
    // erase both first cuts leave the same flash, and each second cut after hit=3 is the one after hit=2.
    expect(r.stdout).toMatch(/^multi-cut sweep: 2 run, 2 pruned, 0 failed$/m);
    expect(r.stdout).toMatch(/^2 passed, 0 failed, 0 errors, 2 skipped$/m);
    expect(r.code).toBe(0);
    const runDir = join(
      reports,
      readdirSync(reports).find((f) => /^\d{4}-/.test(f))!,
    );
    const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as {
      cases: Array<{ id: string; status: string; message?: string; properties: Record<string, string> }>;
    };
    const pruned = results.cases
      .filter((c) => c.properties['pruned_at'])
      .map((c) => [c.id, c.status, c.properties['pruned_at'], c.properties['pruned_as']]);
    expect(pruned.sort()).toEqual([
      ['rollback-powerfail-double[hit=3,hit2=2]', 'skipped', 'hit2', 'rollback-powerfail-double[hit=2,hit2=2]'],
      ['rollback-powerfail-double[hit=3,hit2=40]', 'skipped', 'hit2', 'rollback-powerfail-double[hit=2,hit2=40]'],
    ]);
  }, 300_000);
});
