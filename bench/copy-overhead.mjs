#!/usr/bin/env node
// What a full rollback copy costs in wall time against the firmware's own time: the copy is 553 word programs,
// each a 250 us wait on TIMER0 (138.25 ms of guest time); without icount QEMU's guest clock is the host's, so
// everything above that is the emulator waking up late (the timer's host wake-up, then the vCPU thread's) and
// running the guest between words. Runs bench/copy-overhead.yaml (a tap, the whole copy, the boot) `cases` times
// per variant of the virtual rig, in rounds so that the machine's load changes fall on every variant alike, and
// reads each case's timeline: `Copying factory image 0%` to `Rollback complete`.
// A variant is a name and a JSON object merged into the rig's resources.qemu, e.g.
//   --variant 'single={"args":["-accel","tcg,thread=single"]}'
// (the rig as it is, `rig`, always runs first). Each round also runs `bare` (bench/copy-overhead-bare.c, needs
// cc): the same two wake-ups per word without QEMU, a host thread's timed sleep then another thread's wake-up,
// i.e. the floor this machine sets. --trace also logs QEMU's trace events of TIMER0 and the NVIC and splits each
// word's overhead into the timer's lateness, interrupt to vCPU, and the guest's run to the next word.
// Usage: node bench/copy-overhead.mjs [cases=20] [--rounds 4] [--variant NAME=JSON]... [--trace]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const variants = [{ name: 'rig', qemu: {} }];
let rounds = 4;
let trace = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--variant') {
    const [name, json] = splitOnce(args.splice(i, 2)[1], '=');
    variants.push({ name, qemu: JSON.parse(json) });
    i--;
  } else if (args[i] === '--rounds') {
    rounds = Number(args.splice(i, 2)[1]);
    i--;
  } else if (args[i] === '--trace') {
    trace = true;
    args.splice(i--, 1);
  }
}
const cases = Number(args[0] ?? 20);
const perRound = Math.max(1, Math.ceil(cases / rounds));
const WORD_US = 250; // rigs/virtual/firmware/src/flash.h FLASH_WORD_DELAY_US
const TIMER0_IRQ = 16 + 8; // the NVIC's exception number of TIMER0 (IRQ 8)

const factory = readFileSync(join(root, 'rigs/virtual/firmware/build/factory.img'));
/** Word programs of one copy: the firmware skips words that are all 0xff (rigs/virtual/firmware/README.md). */
let words = 0;
for (let o = 0; o < factory.length; o += 4) {
  const w = Buffer.alloc(4, 0xff);
  factory.copy(w, 0, o, Math.min(o + 4, factory.length));
  if (w.readUInt32LE(0) !== 0xffffffff) words++;
}
const floorMs = (words * WORD_US) / 1000;

const work = mkdtempSync(join(tmpdir(), 'hil-bench-copy-'));
const bare = join(work, 'copy-overhead-bare');
execFileSync('cc', ['-O2', '-pthread', '-o', bare, join(root, 'bench/copy-overhead-bare.c')], { stdio: 'inherit' });
const results = new Map([...variants, { name: 'bare' }].map((v) => [v.name, { copy: [], recovery: [], late: [], kick: [], run: [] }]));
const load = [loadavg()[0]];
try {
  // A project of its own: hil resolves rig names and checks image paths against the folder it runs in.
  const project = join(work, 'project');
  mkdirSync(join(project, 'rigs/virtual/firmware'), { recursive: true });
  cpSync(join(root, 'rigs/virtual/firmware/build'), join(project, 'rigs/virtual/firmware/build'), { recursive: true });
  const base = parse(readFileSync(join(root, 'rigs/virtual.yaml'), 'utf8'));
  for (const v of variants) {
    const rig = structuredClone(base);
    rig.name = `copy-${v.name}`;
    Object.assign(rig.resources.qemu, v.qemu);
    if (trace) {
      const events = ['cmsdk_apb_timer_write', 'nvic_set_pending', 'nvic_acknowledge_irq'].flatMap((e) => ['-trace', e]);
      v.traceLog = join(work, `${v.name}.trace`);
      rig.resources.qemu.args = [...(rig.resources.qemu.args ?? []), ...events, '-msg', 'timestamp=on', '-D', v.traceLog];
    }
    writeFileSync(join(project, 'rigs', `copy-${v.name}.yaml`), stringify(rig));
  }
  for (let r = 0; r < rounds; r++) {
    for (const v of variants) {
      const reports = join(work, `reports-${v.name}-${r}`);
      execFileSync(
        process.execPath,
        [
          join(root, 'bin/hil.js'),
          'run',
          join(root, 'bench/copy-overhead.yaml'),
          '--rig',
          `copy-${v.name}`,
          '--repeat',
          String(perRound),
          '--report-dir',
          reports,
        ],
        { cwd: project, stdio: 'ignore', timeout: 60_000 + perRound * 10_000, env: { ...process.env, HIL_STATE_DIR: join(work, 'state') } },
      );
      const res = results.get(v.name);
      const run = readdirSync(reports, { withFileTypes: true }).find((d) => d.isDirectory()).name;
      for (const c of readdirSync(join(reports, run), { withFileTypes: true }).filter((d) => d.isDirectory())) {
        const events = readFileSync(join(reports, run, c.name, 'timeline.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        const at = (text) => events.find((e) => e.type === 'line' && e.text.includes(text))?.t;
        res.copy.push(at('Rollback complete') - at('Copying factory image 0%'));
        const recovery = events.find((e) => e.type === 'step' && e.index === 4 && e.phase === 'end');
        res.recovery.push(recovery.ms);
      }
      if (v.traceLog) {
        splitWords(readFileSync(v.traceLog, 'utf8'), res);
        rmSync(v.traceLog);
      }
    }
    const floor = execFileSync(bare, [String(perRound), String(words), String(WORD_US)], { encoding: 'utf8', timeout: 60_000 });
    results.get('bare').copy.push(...floor.trim().split('\n').map(Number));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
load.push(loadavg()[0]);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(
  `full rollback copy, ${words} word programs x ${WORD_US} us = ${floorMs.toFixed(2)} ms of guest time; ` +
    `wall time from 'Copying factory image 0%' to 'Rollback complete' (load average ${load.map((l) => l.toFixed(1)).join(' -> ')})`,
);
for (const v of [...variants, { name: 'bare' }]) {
  const { copy, recovery, late, kick, run } = results.get(v.name);
  const over = (ms) => (((ms - floorMs) / words) * 1000).toFixed(0);
  console.log(
    `  ${v.name.padEnd(10)} n=${copy.length}  copy min ${Math.min(...copy).toFixed(1)}  median ${median(copy).toFixed(1)}  ` +
      `mean ${mean(copy).toFixed(1)}  max ${Math.max(...copy).toFixed(1)} ms; over the guest's time: ` +
      `${over(median(copy))} us per word (median), ${over(mean(copy))} (mean)` +
      (recovery.length ? `; recovery step median ${median(recovery).toFixed(0)} ms` : ' (no QEMU: the host alone)') +
      (Math.min(...copy) < floorMs ? `  FASTER THAN THE GUEST'S OWN TIME: the delays were cut short` : ''),
  );
  if (late.length) {
    const us = (xs) => `median ${median(xs).toFixed(0)}, mean ${mean(xs).toFixed(0)} us`;
    console.log(`             per word: timer fires late ${us(late)}; interrupt to vCPU ${us(kick)}; guest to next word ${us(run)}`);
  }
}
if (variants.length > 1)
  console.log(
    `variants: ${variants
      .slice(1)
      .map((v) => `${v.name} = ${JSON.stringify(v.qemu)}`)
      .join('; ')}`,
  );

/**
 * From QEMU's trace log (`PID@SEC.USEC:event ...`), each word program: TIMER0 enabled (CTRL = 9) -> its
 * interrupt pending (the host ran the expired timer) -> acknowledged (the vCPU took it) -> TIMER0 enabled again.
 */
function splitWords(log, res) {
  let armed, pending, acked;
  for (const line of log.split('\n')) {
    const m = /^\d+@(\d+)\.(\d+):(\S+) (.*)$/.exec(line);
    if (!m) continue;
    const t = Number(m[1]) * 1e6 + Number(m[2]);
    if (m[3] === 'cmsdk_apb_timer_write' && m[4].includes('offset 0x0 data 0x9 ')) {
      if (acked !== undefined && t - acked < 1000) res.run.push(t - acked);
      armed = t;
      pending = acked = undefined;
    } else if (m[3] === 'nvic_set_pending' && m[4].includes(`irq ${TIMER0_IRQ} `) && armed !== undefined) {
      pending = t;
      res.late.push(t - armed - WORD_US);
    } else if (m[3] === 'nvic_acknowledge_irq' && m[4].includes(`IRQ: ${TIMER0_IRQ} `) && pending !== undefined) {
      acked = t;
      res.kick.push(t - pending);
    }
  }
}

function splitOnce(s, sep) {
  const i = s.indexOf(sep);
  if (i < 0) throw new Error(`--variant takes NAME=JSON, not ${s}`);
  return [s.slice(0, i), s.slice(i + 1)];
}
