import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil } from '../helpers/hilCli.js';

/** `hil list --json` tells a scheduler what to run where: rigs per scenario, case ids, rigs out of service or busy. */
const root = mkdtempSync(join(tmpdir(), 'hil-list-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('hil list --json', () => {
  it('gives each scenario its rigs and case ids, and each rig its labels, quarantine and lease', async () => {
    mkdirSync(join(root, 'rigs'));
    mkdirSync(join(root, '.hil', 'quarantine'), { recursive: true });
    writeFileSync(
      join(root, '.hil', 'quarantine', 'virtual.json'),
      JSON.stringify({ rig: 'virtual', consecutiveErrors: 3, lastError: 'probe gone', quarantinedAt: '2026-11-24T01:00:00.000Z' }),
    );
    mkdirSync(join(root, '.hil', 'leases'), { recursive: true });
    const now = new Date().toISOString();
    writeFileSync(
      join(root, '.hil', 'leases', 'nucleo-f429zi.json'),
      JSON.stringify({ rig: 'nucleo-f429zi', pid: 1, host: 'rack-2', since: now, heartbeat: now, ttlMs: 60_000 }),
    );
    writeFileSync(
      join(root, '.hil', 'leases', 'frdm-k64f.json'),
      JSON.stringify({ rig: 'frdm-k64f', pid: 1, host: hostname(), since: now, heartbeat: '2020-01-01T00:00:00.000Z', ttlMs: 60_000 }),
    );

    const r = await hil(['list', '--json'], { cwd: root });
    expect(r.code).toBe(0);
    const entries = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    const find = (kind: string, name: string) => entries.find((e) => e['kind'] === kind && e['name'] === name)!;
    expect(find('scenario', 'rollback-powerfail')).toMatchObject({
      labels: ['mcuboot-factory-rollback'],
      rigs: ['virtual'],
      params: { cut_after: expect.any(Array) },
      cases: expect.arrayContaining([expect.stringMatching(/^rollback-powerfail\[cut_after=/)]),
    });
    expect(find('scenario', 'mbed-update-powerfail')['rigs']).toEqual(['nucleo-f429zi']);
    expect(find('scenario', 'rollback-powerfail-exhaustive')).toMatchObject({
      cases: ['rollback-powerfail-exhaustive[hit=1]'],
      hitSweep: { param: 'hit', every: 1, openEnded: true },
    });
    expect(find('rig', 'virtual')).toMatchObject({
      labels: expect.arrayContaining(['virtual']),
      quarantined: { consecutiveErrors: 3, lastError: 'probe gone' },
    });
    expect(find('rig', 'nucleo-f429zi')).toMatchObject({ lease: { host: 'rack-2', pid: 1 } });
    expect(find('rig', 'frdm-k64f')).not.toHaveProperty('lease'); // stale: free for the next run
  });
});
