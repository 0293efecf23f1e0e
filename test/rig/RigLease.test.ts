import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RigError } from '../../src/core/errors.js';
import { RigLease, type LeaseHolder } from '../../src/rig/RigLease.js';

let dir: string;
const logs: string[] = [];
const log = (m: string) => logs.push(m);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-lease-'));
  logs.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function plant(holder: Partial<LeaseHolder>): void {
  const now = new Date().toISOString();
  writeFileSync(
    join(dir, 'bench.json'),
    JSON.stringify({ rig: 'bench', pid: process.pid, host: hostname(), since: now, heartbeat: now, ttlMs: 30_000, ...holder }),
  );
}

describe('RigLease', () => {
  it('writes pid, host and times, and removes the file on release', async () => {
    const lease = await RigLease.acquire({ dir, rig: 'bench', run: 'r1', log });
    const held = JSON.parse(readFileSync(join(dir, 'bench.json'), 'utf8')) as LeaseHolder;
    expect(held).toMatchObject({ rig: 'bench', pid: process.pid, host: hostname(), run: 'r1' });
    expect(Date.parse(held.since)).toBeGreaterThan(Date.now() - 5_000);
    lease.release();
    expect(existsSync(join(dir, 'bench.json'))).toBe(false);
    lease.release(); // idempotent
  });

  it('fails at once naming the holder when the rig is busy and no wait was asked', async () => {
    plant({ pid: process.ppid, since: '2026-01-01T00:00:00.000Z', run: 'other' });
    const t0 = Date.now();
    const error = await RigLease.acquire({ dir, rig: 'bench', log }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RigError);
    expect((error as RigError).message).toMatch(
      new RegExp(`in use by pid ${process.ppid} on ${hostname()} since 2026-01-01T00:00:00.000Z \\(run other\\).*--wait`),
    );
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('waits for a busy rig and takes it when the holder releases', async () => {
    const first = await RigLease.acquire({ dir, rig: 'bench', log });
    setTimeout(() => first.release(), 600);
    const t0 = Date.now();
    const second = await RigLease.acquire({ dir, rig: 'bench', waitMs: 10_000, log });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
    expect(logs.join('\n')).toMatch(/in use by pid \d+.*; waiting/);
    second.release();
  });

  it('gives up after --wait with the holder named', async () => {
    const first = await RigLease.acquire({ dir, rig: 'bench', log });
    await expect(RigLease.acquire({ dir, rig: 'bench', waitMs: 500, log })).rejects.toThrow(
      /in use by pid .*waited 1s|in use by pid .*waited 0s/,
    );
    first.release();
  });

  it('takes over the lease of a process that is gone on this host, with a note', async () => {
    const dead = await execa(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    plant({ pid: Number(dead.stdout) });
    const lease = await RigLease.acquire({ dir, rig: 'bench', log });
    expect(logs.join('\n')).toMatch(new RegExp(`took over the lease of pid ${dead.stdout} .*its process ${dead.stdout} is gone`));
    lease.release();
  });

  it('takes over a lease from another host whose heartbeat is older than its TTL, and not a fresh one', async () => {
    plant({ host: 'rack-7', pid: 1, heartbeat: new Date(Date.now() - 60_000).toISOString(), ttlMs: 30_000 });
    const lease = await RigLease.acquire({ dir, rig: 'bench', log });
    expect(logs.join('\n')).toMatch(/took over the lease of pid 1 on rack-7 .*last heartbeat was 60s ago \(limit 30s\)/);
    lease.release();
    plant({ host: 'rack-7', pid: 1 });
    await expect(RigLease.acquire({ dir, rig: 'bench', log })).rejects.toThrow(/in use by pid 1 on rack-7/);
  });

  it('refreshes its heartbeat while held', async () => {
    const lease = await RigLease.acquire({ dir, rig: 'bench', heartbeatMs: 100, log });
    const before = (JSON.parse(readFileSync(join(dir, 'bench.json'), 'utf8')) as LeaseHolder).heartbeat;
    await new Promise((r) => setTimeout(r, 350));
    const after = (JSON.parse(readFileSync(join(dir, 'bench.json'), 'utf8')) as LeaseHolder).heartbeat;
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
    lease.release();
  });

  it('never deletes a lease another runner took over', async () => {
    const lease = await RigLease.acquire({ dir, rig: 'bench', log });
    plant({ pid: process.ppid, since: '2030-01-01T00:00:00.000Z' });
    lease.release();
    expect(JSON.parse(readFileSync(join(dir, 'bench.json'), 'utf8'))).toMatchObject({ pid: process.ppid });
  });

  it('is released when the process exits without releasing it', async () => {
    const src = new URL('../../dist/rig/RigLease.js', import.meta.url).pathname;
    const script = `const { RigLease } = await import(${JSON.stringify(src)}); await RigLease.acquire({ dir: ${JSON.stringify(dir)}, rig: 'bench', log() {} }); console.log('held');`;
    const r = await execa(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 });
    expect(r.stdout).toBe('held');
    expect(existsSync(join(dir, 'bench.json'))).toBe(false);
  });

  it('lets exactly one of many concurrent takers in', async () => {
    const takers = await Promise.allSettled(Array.from({ length: 8 }, () => RigLease.acquire({ dir, rig: 'bench', log })));
    const won = takers.filter((t) => t.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const lost of takers.filter((t) => t.status === 'rejected'))
      expect((lost as PromiseRejectedResult).reason).toBeInstanceOf(RigError);
    (won[0] as PromiseFulfilledResult<RigLease>).value.release();
  });
});
