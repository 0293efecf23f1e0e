import { afterEach, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { existsSync, mkdirSync, readdirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processesMentioning } from '../helpers/processes.js';
import { bootScenario, printed, PtyBench } from '../helpers/ptyBench.js';
import { untilOrAfter } from '../helpers/until.js';

/**
 * Rig faults on a scripted pty board: each is a rig error (exit 3) with the tool's own words, the board's
 * power ends off, the report is written, nothing is left running and no stack trace reaches the user.
 */
const STACK = /\n\s+at .*:\d+:\d+\)?$/m;
let bench: PtyBench;
let mounted: string | undefined;

afterEach(async () => {
  // Unmounted first: the bench removes its directory, and a mount point in it would stop that.
  await unmountTiny();
  expect(await bench.stop()).toEqual([]);
});

/**
 * A real full disk: a tmpfs of 64 KiB, filled up to `freePages` pages (tmpfs counts whole pages) so the case
 * fills the rest. Mounting needs root; without it the test fails saying so rather than passing untested.
 */
async function mountTiny(dir: string, freePages: number): Promise<void> {
  mkdirSync(dir);
  const r = await execa('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { reject: false, timeout: 30_000 });
  if (r.exitCode !== 0) {
    throw new Error(
      `this test needs root to mount a tmpfs as a full disk (mount -t tmpfs -o size=64k tmpfs ${dir}): ${r.stderr || r.stdout || `exit ${r.exitCode}`}`,
    );
  }
  mounted = dir;
  const { bsize, bavail } = statfsSync(dir);
  writeFileSync(join(dir, 'filler'), Buffer.alloc((bavail - freePages) * bsize, 0x2e));
  expect(statfsSync(dir).bavail).toBe(freePages);
}

async function unmountTiny(): Promise<void> {
  if (!mounted) return;
  const dir = mounted;
  const r = await execa('umount', [dir], { reject: false, timeout: 30_000 });
  // Still busy (something holding a file in it): detach it, so it never outlives the test.
  if (r.exitCode !== 0) await execa('umount', ['-l', dir], { reject: false, timeout: 30_000 });
  mounted = undefined;
}

function timelineOf(reports: string, caseId: string) {
  const run = readdirSync(reports).find((d) => d !== 'junit.xml')!;
  return readFileSync(join(reports, run, caseId, 'timeline.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { t: number; type: string; [k: string]: unknown });
}

describe('rig faults on the pty board', () => {
  it('a relay that refuses (its command exits 1) is a rig error with its message', async () => {
    bench = new PtyBench();
    await bench.start();
    const rig = bench.rig('refuses', {
      power: `power: { kind: command, on: 'echo relay HURTM_1 busy >&2; exit 1', off: 'rm -f ${bench.powerFile}' }`,
    });
    const reports = join(bench.dir, 'reports');
    const r = await bench.run(['run', bench.scenario('boot', bootScenario('boot', [])), '--rig', rig, '--report-dir', reports]);
    expect(r.stdout).toMatch(/relay HURTM_1 busy/);
    expect(r.stdout).toMatch(/^0 passed, 0 failed, 1 errors?$/m);
    expect(r.exitCode).toBe(3);
    expect(readFileSync(join(reports, 'junit.xml'), 'utf8')).toMatch(/<error [^>]*relay HURTM_1 busy/);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(STACK);
  });

  it('a power command that hangs is killed at its timeout with all its children', async () => {
    bench = new PtyBench();
    await bench.start();
    // Two sleeps: one in the foreground, one orphaned in the background; both must die.
    const rig = bench.rig('hangs', {
      power: `power: { kind: command, on: 'sleep 987651 & sleep 987652', off: 'rm -f ${bench.powerFile}', timeout: 1s }`,
    });
    const t0 = Date.now();
    const r = await bench.run([
      'run',
      bench.scenario('boot', bootScenario('boot', [])),
      '--rig',
      rig,
      '--report-dir',
      join(bench.dir, 'reports'),
    ]);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.stdout).toMatch(/timed out|did not finish|hung|after 1s/i);
    expect(r.exitCode).toBe(3);
    await untilOrAfter(() => processesMentioning('sleep 98765').length === 0, 2_000);
    expect(processesMentioning('sleep 98765')).toEqual([]);
  });

  it('a tool missing from PATH is a rig error naming it', async () => {
    bench = new PtyBench();
    await bench.start();
    const rig = bench.rig('no-tool', { power: 'power: { kind: usbrelay, relay: HURTM_1 }' });
    const empty = join(bench.dir, 'empty-bin');
    mkdirSync(empty);
    const r = await bench.run(
      ['run', bench.scenario('boot', bootScenario('boot', [])), '--rig', rig, '--report-dir', join(bench.dir, 'reports')],
      { PATH: empty },
    );
    expect(r.stdout).toMatch(/usbrelay/);
    expect(r.stdout).toMatch(/not found|not installed|missing|no such/i);
    expect(r.exitCode).toBe(3);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(STACK);
  });

  it('a report directory below a file is refused before the lease (exit 2), the board never powered', async () => {
    bench = new PtyBench();
    await bench.start();
    const blocker = join(bench.dir, 'not-a-dir');
    writeFileSync(blocker, 'a file where the report directory should be');
    const powerLog = join(bench.dir, 'power-log');
    const rig = bench.rig('logged', {
      power: `power: { kind: command, on: 'echo on >> ${powerLog}; echo good > ${bench.powerFile}', off: 'rm -f ${bench.powerFile}' }`,
    });
    const r = await bench.run([
      'run',
      bench.scenario('boot', bootScenario('boot', [])),
      '--rig',
      rig,
      '--report-dir',
      join(blocker, 'reports'),
    ]);
    expect(existsSync(powerLog)).toBe(false);
    expect(r.stderr).toMatch(/^command line --report-dir: .*\/not-a-dir\/reports: .*\/not-a-dir is a file, not a directory$/m);
    expect(r.exitCode).toBe(2);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(STACK);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/internal error/);
    expect(existsSync(bench.powerFile)).toBe(false);
  });

  it('the report directory is full (ENOSPC): a clear error (exit 3), power still ends off, what was captured is kept', async () => {
    bench = new PtyBench();
    await bench.start();
    const disk = join(bench.dir, 'full-disk');
    try {
      // Five pages: the run's first results.json and its two junit.xml files (written before any case, so a
      // run killed early still says so) take three, timeline.jsonl one at the case's first event, console.log
      // the last at the first line; console.raw then finds the disk full, and so do the run's summary reports.
      await mountTiny(disk, 5);
      const reports = join(disk, 'reports');
      const r = await bench.run([
        'run',
        bench.scenario('boot', bootScenario('boot', ['sleep: 500ms'])),
        '--rig',
        bench.rig('good'),
        '--report-dir',
        reports,
      ]);
      const all = `${r.stdout}\n${r.stderr}`;
      expect(all).toMatch(/ENOSPC|no space left on device/i);
      // One line says which file or directory and that the disk is full.
      expect(all.split('\n').some((l) => l.includes(reports) && /ENOSPC|no space left on device/i.test(l))).toBe(true);
      expect(r.exitCode).toBe(3);
      expect(all).not.toMatch(STACK);
      expect(all).not.toMatch(/internal error/);
      expect(existsSync(bench.powerFile)).toBe(false);
      // The run's outcome still reaches the terminal, and every report that could not be written is named.
      expect(r.stdout).toMatch(/^1 passed, 0 failed, 0 errors$/m);
      expect(r.stderr).toMatch(/rig error \(reports\): cannot write .*junit\.xml: ENOSPC/);
      // Written as it came, before the disk filled: the case's start, power on and the board's first line.
      const run = readdirSync(reports).find((d) => d !== 'junit.xml')!;
      const caseDir = join(reports, run, 'boot');
      const timeline = readFileSync(join(caseDir, 'timeline.jsonl'), 'utf8');
      expect(timeline.split('\n')[0]).toMatch(/"type":"case"/);
      expect(timeline).toMatch(/"description":"power on"/);
      expect(readFileSync(join(caseDir, 'console.log'), 'utf8')).toMatch(/^\[ *\d+\.\d{3}\] Booting board-sim$/m);
      // A summary report is whole or absent, never half a file, and no temporary file is left behind.
      for (const file of [join(reports, 'junit.xml'), join(reports, run, 'junit.xml')]) {
        if (existsSync(file)) expect(readFileSync(file, 'utf8')).toMatch(/<\/testsuites>\s*$/);
      }
      expect(readdirSync(join(reports, run)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      await unmountTiny();
    }
  }, 120_000);

  it('the console vanishing for good is a rig error after its reopen timeout', async () => {
    bench = new PtyBench();
    await bench.start();
    const reports = join(bench.dir, 'reports');
    const child = bench.run([
      'run',
      bench.scenario('gone', bootScenario('gone', ['sleep: 3s', 'send: reset', 'wait: ready'])),
      '--rig',
      bench.rig('good'),
      '--report-dir',
      reports,
      '-v',
    ]);
    await printed(child, 'step 3:');
    await bench.unplug();
    const r = await child;
    expect(r.stdout).toMatch(/console .*hil-end gone for 1s/);
    expect(r.exitCode).toBe(3);
    const events = timelineOf(reports, 'gone');
    expect(events.some((e) => e.type === 'console-gap')).toBe(true);
    expect(events.some((e) => e.type === 'console-failed')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'power', state: 'off' });
  });

  it('the console vanishing and coming back: the run resumes, the gap is marked, the lines after it are kept', async () => {
    bench = new PtyBench();
    await bench.start();
    const reports = join(bench.dir, 'reports');
    const rig = bench.rig('flaky', { console: `console: { kind: serial, path: ${bench.consolePath}, baud: 115200, reopen: 10s }` });
    const child = bench.run([
      'run',
      bench.scenario('flaky', bootScenario('flaky', ['sleep: 3s', 'send: reset', 'wait: ready'])),
      '--rig',
      rig,
      '--report-dir',
      reports,
      '-v',
    ]);
    await printed(child, 'step 3:');
    await bench.unplug();
    await new Promise((r) => setTimeout(r, 500));
    await bench.start(); // the new board finds power on and boots again: its lines come after the gap
    const r = await child;
    expect(r.stdout).toMatch(/^1 passed, 0 failed, 0 errors$/m);
    expect(r.exitCode).toBe(0);
    const events = timelineOf(reports, 'flaky');
    const gap = events.findIndex((e) => e.type === 'console-gap');
    const resume = events.findIndex((e) => e.type === 'console-resume');
    expect(gap).toBeGreaterThan(0);
    expect(resume).toBeGreaterThan(gap);
    const after = events
      .slice(resume)
      .filter((e) => e.type === 'line')
      .map((e) => e.text);
    expect(after).toEqual(expect.arrayContaining(['Booting board-sim', 'Loading image...', 'Ready v1.0.0']));
  });
});
