#!/usr/bin/env node
// Cut reaction latency on the virtual rig, printed as p50/p99 (goal: p99 at most 2 ms): the time from a
// console line's arrival (the `cut` event's anchorAt, stamped when the line was read) to hil issuing the power
// cut (issuedAt), minus the requested offset. Runs bench/cut-on-pattern.yaml (five cuts per case) `cases`
// times. Also prints the actuation time (cut issued to power off: the CPU stopped and what it printed read),
// which is the rig's, not hil's.
// Usage: node bench/cut-latency.mjs [cases=10]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cases = Number(process.argv[2] ?? 10);
const reports = mkdtempSync(join(tmpdir(), 'hil-bench-cut-'));
const reaction = [];
const actuation = [];
let notPassed = 0;
try {
  try {
    execFileSync(
      process.execPath,
      [
        join(root, 'bin/hil.js'),
        'run',
        join(root, 'bench/cut-on-pattern.yaml'),
        '--repeat',
        String(cases),
        '--wait',
        '600',
        '--report-dir',
        reports,
      ],
      { cwd: root, stdio: 'ignore', timeout: cases * 60_000 },
    );
  } catch (err) {
    if (err.status === undefined) throw err;
  }
  const run = readdirSync(reports).find((d) => d !== 'junit.xml');
  for (const c of JSON.parse(readFileSync(join(reports, run, 'results.json'), 'utf8')).cases) if (c.status !== 'pass') notPassed++;
  for (const caseDir of readdirSync(join(reports, run), { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const line of readFileSync(join(reports, run, caseDir.name, 'timeline.jsonl'), 'utf8')
      .trim()
      .split('\n')) {
      const e = JSON.parse(line);
      if (e.type !== 'cut') continue;
      reaction.push(e.issuedAt - e.anchorAt - e.after);
      actuation.push(e.doneAt - e.issuedAt);
    }
  }
} finally {
  rmSync(reports, { recursive: true, force: true });
}

if (!reaction.length) throw new Error('no cut events recorded: is the virtual rig working (npx hil run rollback-powerfail)?');
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const fmt = (xs) =>
  `p50 ${pct(xs, 50).toFixed(3)} ms, p99 ${pct(xs, 99).toFixed(3)} ms, max ${Math.max(...xs).toFixed(3)} ms (n=${xs.length})`;
console.log(`cut reaction (line received -> cut issued): ${fmt(reaction)}`);
console.log(`cut actuation (cut issued -> power off reported): ${fmt(actuation)}`);
if (notPassed) console.log(`(${notPassed} of ${cases} cases did not pass; their cuts are counted)`);
