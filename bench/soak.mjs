#!/usr/bin/env node
// Soak: `cases` rollback-powerfail cases back to back on the virtual rig, in one `hil run` (the scenario's
// three cut points, repeated). Prints the wall time, the cases by status, the rig errors with their messages,
// and the processes left behind (QEMU, gdb, socat started under this checkout's .hil/ or by hil).
// Goal: zero rig errors, zero leaked processes. Usage: node bench/soak.mjs [cases=500]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cases = Number(process.argv[2] ?? 500);
const repeat = Math.ceil(cases / 3);

function leftBehind() {
  const found = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    try {
      if (/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (cmd.includes(`${root}.hil/`) || /gdb.*--interpreter=mi3/.test(cmd)) found.push(`${pid} ${cmd}`);
    } catch {
      // gone while we looked
    }
  }
  return found;
}

const before = new Set(leftBehind());
const reports = mkdtempSync(join(tmpdir(), 'hil-soak-'));
const t0 = performance.now();
try {
  execFileSync(
    process.execPath,
    [join(root, 'bin/hil.js'), 'run', 'rollback-powerfail', '--repeat', String(repeat), '--wait', '600', '--report-dir', reports],
    { cwd: root, stdio: 'ignore', timeout: repeat * 3 * 120_000 },
  );
} catch (err) {
  if (err.status === undefined) throw err;
}
const wall = (performance.now() - t0) / 1000;
const run = readdirSync(reports).find((d) => d !== 'junit.xml');
const results = JSON.parse(readFileSync(join(reports, run, 'results.json'), 'utf8'));
rmSync(reports, { recursive: true, force: true });
await new Promise((r) => setTimeout(r, 500));
const leaked = leftBehind().filter((p) => !before.has(p));
const errors = results.cases.filter((c) => c.status === 'error');
const n = results.cases.length;
console.log(`soak: ${n} rollback-powerfail cases in ${wall.toFixed(1)} s (${(wall / n).toFixed(2)} s per case)`);
console.log(
  `  passed ${results.summary.passed}, failed ${results.summary.failed}, rig errors ${results.summary.errors}, skipped ${results.summary.skipped}`,
);
for (const e of errors) console.log(`  error ${e.id}: ${e.message}`);
console.log(`  processes left behind: ${leaked.length}${leaked.length ? `\n    ${leaked.join('\n    ')}` : ''}`);
