#!/usr/bin/env node
// The exhaustive single-cut sweeps, timed: `hil run` of rollback-powerfail-exhaustive (553 cuts, every word of a
// factory copy) and upgrade-powerfail-exhaustive (every word of the upgrade copy), each with `hit: all` and
// --jobs 2 (goal: 60 s each on this 2-core machine). Prints per sweep its summary, the wall time, the time per
// case (wall / cases, and per job: what one case costs a rig), the load average around it (the machine is
// shared, so a figure under load says so), and the CPU per case of hil, QEMU and gdb (sampled from /proc: it
// depends little on the load), with the mean time of each step over the passing cases. Not run by CI (minutes).
// Usage: node bench/sweep-speed.mjs [--jobs N] [--only rollback|upgrade] [other hil run options]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuPerCase, sampleCpu } from './lib/processCpu.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const take = (flag, fallback) => {
  const at = args.indexOf(flag);
  return at === -1 ? fallback : args.splice(at, 2)[1];
};
const jobs = Number(take('--jobs', '2'));
const only = take('--only', undefined);
const sweeps = ['rollback', 'upgrade'].filter((s) => !only || s === only).map((s) => `${s}-powerfail-exhaustive`);

for (const scenario of sweeps) {
  const reports = mkdtempSync(join(tmpdir(), 'hil-bench-sweep-speed-'));
  const load0 = loadavg()[0];
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [join(root, 'bin/hil.js'), 'run', scenario, '--jobs', String(jobs), ...args, '--report-dir', reports],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const cpu = new Map();
  const sampling = setInterval(() => sampleCpu(child.pid, cpu), 200);
  const code = await new Promise((resolve) => child.on('close', (c) => resolve(c)));
  clearInterval(sampling);
  const wall = (performance.now() - t0) / 1000;
  const steps = meanSteps(reports);
  rmSync(reports, { recursive: true, force: true });
  const summary = /^(\d+) passed, (\d+) failed, (\d+) errors(?:, (\d+) skipped)?$/m.exec(out);
  const cases = summary ? summary.slice(1).reduce((n, v) => n + Number(v ?? 0), 0) : 0;
  const end = /end of the sweep: no hit (\d+)/.exec(out)?.[1];
  console.log(`${scenario}, hit: all${end ? ` (${Number(end) - 1} hits)` : ''}, --jobs ${jobs}: ${summary?.[0] ?? `hil exited ${code}`}`);
  console.log(
    `  wall ${wall.toFixed(1)} s; ${cases} cases: ${((wall / cases) * 1000).toFixed(0)} ms per case, ${((wall / cases) * jobs * 1000).toFixed(0)} ms per case per job; load average ${load0.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after`,
  );
  const { parts, total } = cpuPerCase(cpu, child.pid, cases, 3);
  console.log(`  CPU per case: ${parts} (${(total / cases).toFixed(3)} s in all)`);
  if (steps) console.log(`  mean step times over ${steps.n} passing cases: ${steps.line}`);
}

/** Each step's mean duration over the run's passing cases (their timelines), as `1 flash 12 ms, 2 power 5 ms, ...`. */
function meanSteps(reports) {
  const run = readdirSync(reports).find((d) => /^\d{4}-/.test(d));
  if (!run) return undefined;
  const sums = new Map();
  let n = 0;
  for (const c of readdirSync(join(reports, run))) {
    const dir = join(reports, run, c);
    if (!existsSync(join(dir, 'result.json')) || JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')).status !== 'pass') continue;
    n++;
    for (const line of readFileSync(join(dir, 'timeline.jsonl'), 'utf8').trim().split('\n')) {
      const e = JSON.parse(line);
      if (e.type === 'step' && e.phase === 'end') sums.set(`${e.index + 1} ${e.key}`, (sums.get(`${e.index + 1} ${e.key}`) ?? 0) + e.ms);
    }
  }
  if (!n) return undefined;
  const line = [...sums].map(([step, ms]) => `${step} ${(ms / n).toFixed(0)} ms`).join(', ');
  return { n, line };
}
