#!/usr/bin/env node
// Device-side cut reaction: how many flash words the firmware still writes after the console line a cut is
// made on (goal: median at most 100, max at most 1000 over 20 runs, the machine under load). The burst test
// firmware (rigs/virtual/firmware/src/burst.c) programs words back to back, one per 250 us, and prints
// "Burst trigger" before word 200; the next boot counts what was written. Each run, in turn:
//   hil   `hil run bench/cut-reaction.yaml` (`cut: { on: TRIGGER }` on the virtual rig), words from the next boot
//   bare  bench/cut-reaction-bare.c: QEMU on a pty, select() and SIGKILL on the line, words from the flash file
// with CPU burners on every core alongside (--burners N, default: the number of cores). Needs cc.
// Usage: node bench/cut-reaction.mjs [runs=20] [--burners N]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const build = join(root, 'rigs/virtual/firmware/build');
const args = process.argv.slice(2);
const at = args.indexOf('--burners');
const burners = at === -1 ? availableParallelism() : Number(args.splice(at, 2)[1]);
const runs = Number(args[0] ?? 20);
/** burst.c: words before the line, and where they go (the primary slot, NV offset 0x10000). */
const TRIGGER_WORD = 200;
const BURST_OFFSET = 0x10000;
const BURST_WORDS = 0x20000 / 4;

const work = mkdtempSync(join(tmpdir(), 'hil-bench-cut-reaction-'));
const bare = join(work, 'cut-reaction-bare');
execFileSync('cc', ['-O2', '-o', bare, join(root, 'bench/cut-reaction-bare.c')], { stdio: 'inherit' });

/** Words the burst wrote after the line: the written words from the start, less the ones before the line. */
function wordsAfter(nv) {
  let n = 0;
  while (n < BURST_WORDS && nv.readUInt32LE(BURST_OFFSET + 4 * n) !== 0xffffffff) n++;
  return n - TRIGGER_WORD;
}

function hilRun(i) {
  const reports = join(work, `hil-${i}`);
  try {
    execFileSync(
      process.execPath,
      [join(root, 'bin/hil.js'), 'run', join(root, 'bench/cut-reaction.yaml'), '--wait', '600', '--report-dir', reports],
      { cwd: root, stdio: 'ignore', timeout: 120_000 },
    );
  } catch (err) {
    if (err.status === undefined) throw err;
  }
  const run = readdirSync(reports).find((d) => /^\d{4}-/.test(d));
  const caseDir = readdirSync(join(reports, run), { withFileTypes: true }).find((d) => d.isDirectory());
  const log = readFileSync(join(reports, run, caseDir.name, 'console.log'), 'utf8');
  const found = /Burst found (\d+) words/.exec(log)?.[1];
  // hil's own part, from its timeline: line read to cut issued (reaction), cut issued to CPU stopped (actuation).
  for (const line of readFileSync(join(reports, run, caseDir.name, 'timeline.jsonl'), 'utf8')
    .trim()
    .split('\n')) {
    const e = JSON.parse(line);
    if (e.type !== 'cut' || e.anchorAt === undefined) continue;
    reaction.push(e.issuedAt - e.anchorAt);
    actuation.push(e.doneAt - e.issuedAt);
  }
  rmSync(reports, { recursive: true, force: true });
  return found === undefined ? undefined : Number(found) - TRIGGER_WORD;
}

function bareRun() {
  const nvFile = join(work, 'nv.img');
  const nv = Buffer.alloc(16 * 1024 * 1024, 0xff);
  readFileSync(join(build, 'burst.bin')).copy(nv, 0);
  writeFileSync(nvFile, nv);
  try {
    execFileSync(bare, ['qemu-system-arm', nvFile, join(build, 'bootrom.bin')], { stdio: 'ignore', timeout: 60_000 });
  } catch {
    return undefined;
  }
  return wordsAfter(readFileSync(nvFile));
}

const burning = Array.from({ length: burners }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
const hil = [];
const floor = [];
const reaction = [];
const actuation = [];
let missing = 0;
const load0 = loadavg()[0];
try {
  // Let the burners take the cores before the first run.
  await new Promise((r) => setTimeout(r, 1000));
  for (let i = 0; i < runs; i++) {
    const h = hilRun(i);
    const b = bareRun();
    if (h === undefined || b === undefined) missing++;
    if (h !== undefined) hil.push(h);
    if (b !== undefined) floor.push(b);
    console.log(`run ${i + 1}/${runs}: hil ${h ?? 'no count'} words, bare loop ${b ?? 'no count'} words`);
  }
} finally {
  for (const b of burning) b.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (xs) => (xs.length ? `median ${median(xs)}, max ${Math.max(...xs)} (n=${xs.length})` : 'no runs counted');
console.log(
  `words written after the trigger line, ${burners} CPU burner${burners === 1 ? '' : 's'} alongside, load average ${load0.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after:`,
);
console.log(`  hil cut on the line:      ${fmt(hil)}`);
console.log(`  bare select()+SIGKILL:    ${fmt(floor)}`);
const ms = (xs) => (xs.length ? `median ${median(xs).toFixed(2)} ms, max ${Math.max(...xs).toFixed(2)} ms` : 'none');
console.log(`  of which in hil: line read to cut issued ${ms(reaction)}; cut issued to CPU stopped ${ms(actuation)}`);
if (missing) console.log(`  ${missing} run(s) gave no count (see the runs above)`);
