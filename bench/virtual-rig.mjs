#!/usr/bin/env node
// Figures of the virtual rig, printed: wall time of `hil run rollback-powerfail` (bootstrap already done) and,
// from the runs' own timelines, power-on to first console line, split into the power-on itself (the rig's QEMU
// is already there, stopped: a reset and a `cont`) and resume to the first line; and what a QEMU start costs
// (spawn to QMP ready), paid once per rig and run. Usage: node bench/virtual-rig.mjs [runs=3]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 3);
const walls = [];
const firstLine = [];
const qemuStart = [];
const powerOn = [];
const contToLine = [];

for (let i = 0; i < runs; i++) {
  const reports = mkdtempSync(join(tmpdir(), 'hil-bench-'));
  const t0 = performance.now();
  execFileSync(process.execPath, [join(root, 'bin/hil.js'), 'run', 'rollback-powerfail', '--report-dir', reports], {
    cwd: root,
    stdio: 'ignore',
  });
  walls.push(performance.now() - t0);
  const run = readdirSync(reports).find((d) => d !== 'junit.xml');
  for (const caseDir of readdirSync(join(reports, run), { withFileTypes: true }).filter((d) => d.isDirectory())) {
    const events = readFileSync(join(reports, run, caseDir.name, 'timeline.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const e of events) if (e.type === 'qemu' && e.phase === 'ready') qemuStart.push(e.startMs);
    for (const [k, e] of events.entries()) {
      if (e.type !== 'step' || e.key !== 'power' || e.phase !== 'start') continue;
      const line = events.slice(k).find((x) => x.type === 'line');
      const on = events.slice(k).find((x) => x.type === 'power' && x.state === 'on');
      const cont = events.slice(k).find((x) => x.type === 'qemu' && x.phase === 'run');
      if (line) firstLine.push(line.t - e.t);
      if (on) powerOn.push(on.latencyMs);
      if (cont && line) contToLine.push(line.t - cont.t);
    }
  }
  rmSync(reports, { recursive: true, force: true });
}

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (xs, unit = 'ms') => `median ${pct(xs, 50).toFixed(1)} ${unit}, max ${Math.max(...xs).toFixed(1)} ${unit} (n=${xs.length})`;
console.log(
  `hil run rollback-powerfail (3 cases, virtual rig): ${fmt(
    walls.map((w) => w / 1000),
    's',
  )}`,
);
console.log(`power-on to first console line:                  ${fmt(firstLine)}`);
console.log(`  power-on step (reset and cont of the stopped QEMU): ${fmt(powerOn)}`);
console.log(`  resume (cont) to first line:                    ${fmt(contToLine)}`);
console.log(`QEMU start, spawn to QMP ready (once per run):  ${fmt(qemuStart)}`);
