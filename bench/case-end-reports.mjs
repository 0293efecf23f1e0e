#!/usr/bin/env node
// The report work at each case's end over a long sweep, as `hil run` does it: a real 3-case run of
// rollback-powerfail-exhaustive on the virtual rig is repeated into N cases (default 555, the exhaustive sweep's
// count), each with its own folder, and fed one by one through the run's progress (results.jsonl, results.json,
// both junit.xml, the case page), then the run's end writes its reports. Prints how long each case's end keeps
// the event loop both jobs share busy (its active time over the last tenth of the cases, where the files are
// biggest), the CPU of the whole (libuv's threads included), and the end-of-run reports' wall time. Uses the build (npm run build first).
// Usage: node bench/case-end-reports.mjs [cases=555]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunProgress } from '../dist/report/RunProgress.js';
import { writeReports } from '../dist/report/writeReports.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const count = Number(process.argv[2] ?? 555);
const work = mkdtempSync(join(tmpdir(), 'hil-case-end-bench-'));
try {
  const real = join(work, 'real');
  execFileSync(
    process.execPath,
    [join(root, 'bin/hil.js'), 'run', 'rollback-powerfail-exhaustive', '--param', 'hit=1,2,3', '--report-dir', real],
    { cwd: root, stdio: 'ignore', timeout: 120_000, env: { ...process.env, HIL_WAIT: '600' } },
  );
  const realDir = join(
    real,
    readdirSync(real).find((d) => /^\d{4}-/.test(d)),
  );
  const source = JSON.parse(readFileSync(join(realDir, 'results.json'), 'utf8'));

  const reports = join(work, 'reports');
  const runDir = join(reports, 'sweep');
  const cases = Array.from({ length: count }, (_, i) => {
    const from = source.cases[i % source.cases.length];
    const hit = String(i + 1);
    const dir = `${from.scenario}_hit=${hit}`;
    cpSync(join(realDir, from.dir), join(runDir, dir), { recursive: true });
    return { ...from, id: `${from.scenario}[hit=${hit}]`, dir, params: { hit }, properties: { ...from.properties, 'param.hit': hit } };
  });

  const run = { runId: 'sweep', startedAt: source.startedAt, dir: runDir };
  const cpu0 = process.cpuUsage();
  const progress = new RunProgress(run, join(reports, 'junit.xml'), (m) => console.error(m));
  const late = Math.max(1, Math.round(count / 10));
  let loop;
  for (const [i, c] of cases.entries()) {
    if (i === count - late) loop = performance.eventLoopUtilization();
    await progress.caseEnded(c);
  }
  await progress.idle();
  const heldLate = performance.eventLoopUtilization(loop).active;
  const cpu = process.cpuUsage(cpu0);
  const t = performance.now();
  writeReports({ ...run, durationMs: 1, cases }, reports, { casePagesWritten: progress.pagesWritten });
  const endMs = performance.now() - t;
  console.log(
    `${count} cases: a case's end keeps the event loop busy ${(heldLate / late).toFixed(1)} ms (mean over the last ${late}); ` +
      `CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms in all; the run's end reports ${endMs.toFixed(0)} ms`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
