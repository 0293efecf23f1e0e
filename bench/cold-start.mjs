#!/usr/bin/env node
// `hil --help` cold start, printed as median and max over `runs` fresh processes (goal: 300 ms or less): what a
// user waits for before anything happens. Each run is a new `node bin/hil.js --help`, timed from spawn to exit.
// Usage: node bench/cold-start.mjs [runs=20]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 20);
const times = [];
spawnSync(process.execPath, [join(root, 'bin/hil.js'), '--help'], { cwd: root, stdio: 'ignore' }); // warm the page cache, as a user's second call would be
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'bin/hil.js'), '--help'], { cwd: root, stdio: 'ignore', timeout: 10_000 });
  times.push(performance.now() - t0);
  if (r.status !== 0) throw new Error(`hil --help exited ${r.status}`);
}
const sorted = [...times].sort((a, b) => a - b);
const nodeOnly = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  nodeOnly.push(performance.now() - t0);
}
console.log(
  `hil --help cold start: median ${sorted[Math.floor(runs / 2)].toFixed(0)} ms, min ${sorted[0].toFixed(0)} ms, max ${sorted.at(-1).toFixed(0)} ms (n=${runs}; bare \`node -e 0\` here: ${nodeOnly.sort((a, b) => a - b)[2].toFixed(0)} ms)`,
);
