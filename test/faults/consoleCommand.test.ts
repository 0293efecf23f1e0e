import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { HIL_BIN } from '../helpers/hilCli.js';
import { processesMentioning } from '../helpers/processes.js';
import { bootScenario, PtyBench } from '../helpers/ptyBench.js';
import { untilOrAfter } from '../helpers/until.js';

/**
 * `hil console` leases the rig as a run does, says plainly why a typed line was not sent, and never lets the
 * board's bytes drive the user's terminal (nor does `hil run` when it quotes console lines); console.raw keeps them.
 */
const STACK = /\n\s+at .*[(\s][^\s]*:\d+:\d+\)?/;
/** What must never reach a terminal from a board: ESC, BEL, C1 controls, bidi overrides. */
const RAW_CONTROL = /[\u001b\u0007\u0080-\u009f\u202e]/;
let project: string;
let bench: PtyBench | undefined;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'hil-console-'));
  mkdirSync(join(project, 'rigs'));
});
afterEach(async () => {
  if (bench) expect(await bench.stop()).toEqual([]);
  bench = undefined;
  expect(processesMentioning(project)).toEqual([]);
  const leases = join(project, '.hil', 'leases');
  expect(existsSync(leases) ? readdirSync(leases) : []).toEqual([]);
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

function consoleOf(args: string[]) {
  return execa(process.execPath, [HIL_BIN, 'console', ...args], {
    cwd: project,
    reject: false,
    env: { NO_COLOR: '1', HIL_WAIT: '0' },
    timeout: 60_000,
    forceKillAfterDelay: 2_000,
  });
}

function stdoutOf(child: ReturnType<typeof consoleOf>): () => string {
  let seen = '';
  child.stdout!.on('data', (c: Buffer) => (seen += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (seen += c.toString()));
  return () => seen;
}

describe('hil console', () => {
  it('holds the rig lease while it runs, and queues behind (or refuses) a rig another runner holds', async () => {
    const child = consoleOf(['virtual']);
    const seen = stdoutOf(child);
    await untilOrAfter(() => seen().includes('Ctrl-C to leave'), 20_000);
    const lease = JSON.parse(readFileSync(join(project, '.hil', 'leases', 'virtual.json'), 'utf8')) as { pid: number };
    expect(lease.pid).toBe(child.pid);
    const second = await consoleOf(['virtual', '--wait', '0']);
    expect(second.stdout + second.stderr).toMatch(/rig virtual is in use by pid \d+/);
    expect(second.exitCode).toBe(3);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(0);
  });

  it('refuses a rig a live run holds: exit 3 at once, nothing started', async () => {
    mkdirSync(join(project, '.hil', 'leases'), { recursive: true });
    const now = new Date().toISOString();
    const file = join(project, '.hil', 'leases', 'virtual.json');
    writeFileSync(
      file,
      JSON.stringify({ rig: 'virtual', pid: process.pid, host: hostname(), since: now, heartbeat: now, ttlMs: 60_000, run: 'r1' }),
    );
    try {
      const t0 = performance.now();
      const r = await consoleOf(['virtual']);
      expect(performance.now() - t0).toBeLessThan(5_000);
      expect(r.stderr).toMatch(new RegExp(`rig virtual is in use by pid ${process.pid}`));
      expect(r.exitCode).toBe(3);
      expect(existsSync(join(project, '.hil', 'rigs'))).toBe(false);
    } finally {
      rmSync(file);
    }
  });

  it('without --power, a typed line is not sent, with one clear message and no stack trace', async () => {
    const child = consoleOf(['virtual']);
    const seen = stdoutOf(child);
    await untilOrAfter(() => seen().includes('Ctrl-C to leave'), 20_000);
    child.stdin!.write('hello\n');
    await untilOrAfter(() => seen().includes('not sent'), 5_000);
    child.kill('SIGINT');
    const r = await child;
    expect(seen()).toMatch(
      /--- not sent: cannot write to the console: the virtual board is powered off.*\(--power switches the board on\) ---/,
    );
    expect(seen()).not.toMatch(STACK);
    expect(r.exitCode).toBe(0);
  });

  it('shows control bytes the board sends as text, never raw', async () => {
    bench = new PtyBench();
    await bench.start();
    const rig = bench.rig('hostile', {
      power: `power: { kind: command, on: 'echo hostile > ${bench.powerFile}', off: 'rm -f ${bench.powerFile}' }`,
    });
    const child = consoleOf([rig, '--power']);
    const seen = stdoutOf(child);
    await untilOrAfter(() => seen().includes('PANIC'), 20_000);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(0);
    expect(seen()).toMatch(/\\x1b\[2J\\x1b\[HBooting board-sim \\x1b\]0;owned\\x07/);
    expect(seen()).toMatch(/PANIC: \\u\{202e\}evil\\x1b\[31m red/);
    expect(seen()).not.toMatch(RAW_CONTROL);
  });
});

describe('hil run quoting the console', () => {
  it('neutralises control bytes in what it prints, and keeps them raw in console.raw', async () => {
    bench = new PtyBench();
    await bench.start();
    const rig = bench.rig('hostile-run', {
      power: `power: { kind: command, on: 'echo hostile > ${bench.powerFile}', off: 'rm -f ${bench.powerFile}' }`,
    });
    const reports = join(bench.dir, 'reports');
    const r = await bench.run([
      'run',
      bench.scenario('boot', bootScenario('boot', ['sleep: 300ms'])),
      '--rig',
      rig,
      '--report-dir',
      reports,
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/forbidden line matched .*PANIC: \\u\{202e\}evil\\u001b\[31m red/);
    expect(r.stdout).toMatch(/^ +\\x1b\]8;;http:\/\/example.invalid\/\\x1b\\click/m);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(RAW_CONTROL);
    const run = readdirSync(reports).find((d) => d !== 'junit.xml' && d !== 'index.html')!;
    const caseDir = readdirSync(join(reports, run), { withFileTypes: true }).find((d) => d.isDirectory())!.name;
    expect(readFileSync(join(reports, run, caseDir, 'console.raw'), 'latin1')).toContain('\x1b]0;owned\x07');
  });
});
