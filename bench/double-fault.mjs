#!/usr/bin/env node
// A double-fault sweep, timed: `hil run rollback-powerfail-double` cuts in the rollback copy (hit) and again in the
// rollback that recovers from it (hit2), each every 256th word and the first and last 4, and prunes the cases that
// reach a state already explored at a cut. Prints the run's "multi-cut sweep: R run, P pruned, F failed" line,
// its summary line and the wall time. Not run by CI (minutes).
// Usage: node bench/double-fault.mjs [hil run options, e.g. --jobs 2 --param hit=2,257]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const reports = mkdtempSync(join(tmpdir(), 'hil-bench-double-'));
const load = loadavg()[0].toFixed(1);
const t0 = performance.now();
const child = spawn(
  process.execPath,
  [join(root, 'bin/hil.js'), 'run', 'rollback-powerfail-double', ...process.argv.slice(2), '--report-dir', reports],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let out = '';
child.stdout.on('data', (chunk) => (out += chunk));
const code = await new Promise((resolve) => child.on('close', resolve));
const wall = (performance.now() - t0) / 1000;
rmSync(reports, { recursive: true, force: true });
const line = (re) => out.split('\n').find((l) => re.test(l)) ?? '(none)';
console.log(line(/^multi-cut sweep:/));
console.log(line(/ passed, /));
console.log(`wall ${wall.toFixed(1)} s (exit ${code}; load average ${load} at the start, ${loadavg()[0].toFixed(1)} at the end)`);
