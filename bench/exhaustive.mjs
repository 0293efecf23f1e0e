#!/usr/bin/env node
// The exhaustive power-cut sweep, timed: `hil run rollback-powerfail-exhaustive` (`hit: all`) cuts before every
// one of the 553 word programs of a factory.img copy, then one case finds no hit 554 and ends the sweep (or every
// Nth hit with --every N, given as a --param list), and this prints wall time, cases per minute and the run's
// summary line. Not run by CI (the full sweep takes about 9 minutes here with --jobs 2).
// Usage: node bench/exhaustive.mjs [--every N] [other hil run options, e.g. --image bootloader=PATH --jobs 2]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_EDGES, sampledHits } from '../dist/scenario/hitSample.js';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Word programs of one factory.img copy (rigs/virtual/firmware/README.md), for sampling with --every. */
const HITS = 553;

const args = process.argv.slice(2);
const at = args.indexOf('--every');
const every = at === -1 ? 1 : Number(args.splice(at, 2)[1]);
if (!Number.isInteger(every) || every < 1) throw new Error('--every takes a positive integer');
// Sampled as `hit: { every: N }` samples: every Nth hit and the first and last 4 (the header words go last).
const hits = sampledHits(HITS, every, DEFAULT_EDGES);
const params = every === 1 ? [] : ['--param', `hit=${hits.join(',')}`];

const reports = mkdtempSync(join(tmpdir(), 'hil-bench-exhaustive-'));
const t0 = performance.now();
const child = spawn(
  process.execPath,
  [join(root, 'bin/hil.js'), 'run', 'rollback-powerfail-exhaustive', ...params, ...args, '--report-dir', reports],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let out = '';
let done = 0;
child.stdout.on('data', (chunk) => {
  out += chunk;
  // One line per finished case ("  FAIL id (3.3s): ..."; the closing replay list has no duration): progress with the
  // running rate, so a sweep stopped early still gives a figure.
  for (const line of chunk.toString().split('\n')) {
    if (!/^\s+(PASS|FAIL|ERROR|SKIP) \S+ \(\d/.test(line)) continue;
    done++;
    const min = (performance.now() - t0) / 60_000;
    console.log(`${line.trim()}  [${done}${every === 1 ? '' : `/${hits.length}`}, ${(done / min).toFixed(1)} cases/min]`);
  }
});
const code = await new Promise((resolve) => child.on('close', (c) => resolve(c)));
const wall = (performance.now() - t0) / 1000;
rmSync(reports, { recursive: true, force: true });
const summary = /^\d+ passed, \d+ failed, \d+ errors(, \d+ skipped)?$/m.exec(out)?.[0] ?? `hil exited ${code}`;
const end = /end of the sweep: no hit (\d+)/.exec(out)?.[1];
console.log(
  `rollback-powerfail-exhaustive, ${every === 1 ? `hit: all${end ? `, ${Number(end) - 1} hits` : ''}` : `${hits.length} cut points (every ${every} of ${HITS} hits)`}: ${summary}`,
);
console.log(`wall ${wall.toFixed(1)} s, ${((done / wall) * 60).toFixed(1)} cases/min`);
