#!/usr/bin/env node
// Figure of issue 5, printed: a 50-point rollback-powerfail sweep on the virtual rig with --jobs 2, in cases per
// minute (goal: 200 or more on a 2-core machine), with the run's own cut latency and coverage from results.json.
// Runs in a throwaway project folder (own rig leases and board state). Usage: node bench/sweep.mjs [jobs=2] [points=50]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuPerCase, sampleCpu } from './lib/processCpu.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const jobs = Number(process.argv[2] ?? 2);
const count = Number(process.argv[3] ?? 50);
// Evenly spread over the first 150 ms of the rollback copy (180-200 ms on this board): every point lands mid-copy,
// with room for a late cut on a loaded machine.
const points = Array.from({ length: count }, (_, i) => `${Math.round(5 + (i * 145) / Math.max(1, count - 1))}ms`);

const project = mkdtempSync(join(tmpdir(), 'hil-bench-sweep-'));
mkdirSync(join(project, 'scenarios'));
try {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [join(root, 'bin/hil.js'), 'run', 'rollback-powerfail', '--jobs', String(jobs), '--param', `cut_after=${points.join(',')}`],
    {
      cwd: project,
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 30 * 60_000,
      killSignal: 'SIGTERM',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  // Where the CPU goes: every process of the run sampled from /proc (the last 100 ms of a process are missed).
  // Not more often: each sample reads every /proc entry, CPU the run itself would otherwise have.
  const cpu = new Map();
  const sample = setInterval(() => sampleCpu(child.pid, cpu), 100);
  const status = await new Promise((resolve) => child.on('close', (code) => resolve(code)));
  clearInterval(sample);
  const run = { status, stdout };
  const wallS = (performance.now() - t0) / 1000;
  const reports = join(project, 'reports');
  const runDir = readdirSync(reports).find((d) => d !== 'junit.xml');
  const results = JSON.parse(readFileSync(join(reports, runDir, 'results.json'), 'utf8'));
  const n = results.cases.length;
  const { passed, failed, errors } = results.summary;
  console.log(
    `rollback-powerfail sweep, ${n} points, --jobs ${jobs}, virtual rig: ${((n / wallS) * 60).toFixed(0)} cases/min (${wallS.toFixed(1)} s wall; ${passed} passed, ${failed} failed, ${errors} errors; exit ${run.status})`,
  );
  const l = results.cutLatency;
  if (l)
    console.log(
      `cut latency over ${l.cuts} cuts: p50 ${l.total.p50} ms, p99 ${l.total.p99} ms (late p50 ${l.late.p50} p99 ${l.late.p99}; actuation p50 ${l.actuation.p50} p99 ${l.actuation.p99})`,
    );
  for (const c of results.coverage ?? []) {
    console.log(
      `cuts per state: ${c.states
        .filter((s) => s.cuts)
        .map((s) => `${s.state} ${s.cuts}`)
        .join(', ')}`,
    );
  }
  const { parts, total } = cpuPerCase(cpu, child.pid, n, 2);
  console.log(
    `CPU per case: ${parts} (${(total / n).toFixed(2)} s in all; ${((100 * total) / wallS).toFixed(0)}% of one core over the run)`,
  );
  if (run.status !== 0)
    console.log(
      run.stdout
        .split('\n')
        .filter((line) => /FAIL|ERROR/.test(line))
        .slice(0, 10)
        .join('\n'),
    );
} finally {
  rmSync(project, { recursive: true, force: true });
}
