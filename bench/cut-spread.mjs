#!/usr/bin/env node
// Where one timed cut lands, run after run: runs bench/cut-spread.yaml (a cut `cut_after` into the rollback copy,
// nothing after it) `repeats` times, each in its own `hil run`, and reads the board's flash file after each: how
// many words of the copy were programmed when power went (553 = the whole factory image). Prints min, median,
// max and the number of distinct landing words; one word is ~0.25 ms of the copy.
// Usage: node bench/cut-spread.mjs [cut_after=60ms] [repeats=20] [rig=virtual (a name or a rig file)]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cutAfter = process.argv[2] ?? '60ms';
const repeats = Number(process.argv[3] ?? 20);
const rig = process.argv[4] ?? 'virtual';
const rigName = basename(rig).replace(/\.ya?ml$/, '');
/** The primary slot in the virtual board's flash file (rigs/virtual.yaml: primary at 0x10000, 64 KiB). */
const PRIMARY = { offset: 0x10000, size: 0x10000 };

const work = mkdtempSync(join(tmpdir(), 'hil-bench-spread-'));
const landed = [];
const statuses = {};
try {
  for (let i = 0; i < repeats; i++) {
    const reports = join(work, `reports-${i}`);
    try {
      execFileSync(
        process.execPath,
        [
          join(root, 'bin/hil.js'),
          'run',
          join(root, 'bench/cut-spread.yaml'),
          '--param',
          `cut_after=${cutAfter}`,
          '--rig',
          rig,
          '--wait',
          '600',
          '--report-dir',
          reports,
        ],
        {
          cwd: root,
          stdio: 'ignore',
          timeout: 120_000,
          env: { ...process.env, HIL_STATE_DIR: join(work, 'state') },
        },
      );
    } catch (err) {
      if (err.status === undefined) throw err;
    }
    const results = JSON.parse(readFileSync(join(reports, latestRun(reports), 'results.json'), 'utf8'));
    for (const c of results.cases) statuses[c.status] = (statuses[c.status] ?? 0) + 1;
    landed.push(
      programmedWords(readFileSync(join(work, 'state', 'rigs', rigName, 'nv.img')).subarray(PRIMARY.offset, PRIMARY.offset + PRIMARY.size)),
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const sorted = [...landed].sort((a, b) => a - b);
const median = sorted[Math.floor((sorted.length - 1) / 2)];
console.log(
  `rig ${rigName}, cut_after=${cutAfter}, ${repeats} runs (${Object.entries(statuses)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ')}): words of the copy programmed when power went`,
);
console.log(
  `  min ${sorted[0]}, median ${median}, max ${sorted.at(-1)}, ${new Set(sorted).size} distinct (spread ${sorted.at(-1) - sorted[0]} words, ~${((sorted.at(-1) - sorted[0]) * 0.25).toFixed(1)} ms of copy)`,
);
console.log(`  each run: ${landed.join(' ')}`);

/** The run folder in a report dir of one run. */
function latestRun(reports) {
  return readdirSync(reports, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .at(-1);
}

/** Words that differ from erased flash: the copy programs each non-erased word once. */
function programmedWords(slot) {
  let n = 0;
  for (let i = 0; i < slot.length; i += 4) if (slot.readUInt32LE(i) !== 0xffffffff) n++;
  return n;
}
