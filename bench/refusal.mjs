#!/usr/bin/env node
// How long hil takes to refuse hostile input: `hil validate FILE` for each file of the hostile corpus
// (test/fixtures/bad/corpus), each a fresh process. Prints wall and CPU time (min, median, max) and the
// slowest files (goal: every refusal under 2 s, exit 2).
// Usage: node bench/refusal.mjs [slowest=5]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const corpus = join(root, 'test/fixtures/bad/corpus');
const slowest = Number(process.argv[2] ?? 5);
const scratch = mkdtempSync(join(tmpdir(), 'hil-refusal-'));
const timeFile = join(scratch, 'time');
const rows = [];
try {
  for (const file of readdirSync(corpus).sort()) {
    const t0 = performance.now();
    const r = spawnSync(
      '/usr/bin/time',
      ['-f', '%U %S %M', '-o', timeFile, process.execPath, join(root, 'bin/hil.js'), 'validate', join(corpus, file)],
      {
        cwd: root,
        stdio: 'ignore',
        timeout: 20_000,
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    const wallMs = performance.now() - t0;
    const [user, system, rssKb] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
    rows.push({ file, code: r.status, wallMs, cpuMs: (user + system) * 1000, rssMb: rssKb / 1024 });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
const stat = (key) => {
  const v = rows.map((r) => r[key]).sort((a, b) => a - b);
  return `min ${v[0].toFixed(0)}, median ${v[Math.floor(v.length / 2)].toFixed(0)}, max ${v.at(-1).toFixed(0)}`;
};
const notTwo = rows.filter((r) => r.code !== 2);
console.log(`refusals of ${rows.length} hostile files: wall ms ${stat('wallMs')}; CPU ms ${stat('cpuMs')}; peak RSS MB ${stat('rssMb')}`);
console.log(
  `exit 2: ${rows.length - notTwo.length} of ${rows.length}${notTwo.length ? ` (not: ${notTwo.map((r) => `${r.file}=${r.code}`).join(', ')})` : ''}`,
);
console.log('slowest (wall):');
for (const r of [...rows].sort((a, b) => b.wallMs - a.wallMs).slice(0, slowest))
  console.log(`  ${r.wallMs.toFixed(0).padStart(6)} ms  ${r.file}`);
