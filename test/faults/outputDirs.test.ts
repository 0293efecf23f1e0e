import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil } from '../helpers/hilCli.js';
import { timedHil } from '../helpers/timedHil.js';
import { bootScenario, PtyBench } from '../helpers/ptyBench.js';

/**
 * Folders hil makes from a path a user gave (`--report-dir`, `report merge --out`, `HIL_STATE_DIR`): one that
 * cannot be made or written in is a usage error (exit 2) naming the path and what is wrong with it, found
 * before the lease, so the board is never powered. Under /proc, Node's recursive mkdir used to spin forever.
 */
const STACK = /\n\s+at .*:\d+:\d+\)?$/m;
let bench: PtyBench;
let mounted: string | undefined;

beforeEach(async () => {
  bench = new PtyBench();
  await bench.start();
});
afterEach(async () => {
  if (mounted) await execa('umount', ['-l', mounted], { reject: false, timeout: 30_000 });
  mounted = undefined;
  expect(await bench.stop()).toEqual([]);
});

/** A read-only filesystem (a tmpfs mounted ro); mounting needs root, and without it the test fails saying so. */
async function readOnlyDir(): Promise<string> {
  const dir = join(bench.dir, 'ro');
  mkdirSync(dir);
  const r = await execa('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', dir], { reject: false, timeout: 30_000 });
  if (r.exitCode !== 0) throw new Error(`this test needs root to mount a read-only tmpfs at ${dir}: ${r.stderr || `exit ${r.exitCode}`}`);
  mounted = dir;
  return dir;
}

/** `hil run` of a one-case scenario on the pty board, whose power command logs every power-on. */
function runOnBench(reportDir: string, env: Record<string, string> = {}) {
  const powerLog = join(bench.dir, 'power-log');
  const rig = bench.rig('logged', {
    power: `power: { kind: command, on: 'echo on >> ${powerLog}; echo good > ${bench.powerFile}', off: 'rm -f ${bench.powerFile}' }`,
  });
  return timedHil(['run', bench.scenario('boot', bootScenario('boot', [])), '--rig', rig, '--report-dir', reportDir], {
    env: { HIL_STATE_DIR: join(bench.dir, 'state'), ...env },
    timeoutMs: 60_000,
  });
}

function refused(r: Awaited<ReturnType<typeof timedHil>>, message: RegExp) {
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(2);
  expect(r.cpuMs).toBeLessThan(2_000);
  expect(r.all).not.toMatch(STACK);
  expect(r.all).not.toMatch(/internal error|ENOENT|ENOTDIR/);
  expect(existsSync(join(bench.dir, 'power-log'))).toBe(false);
}

describe('a folder hil cannot make or write in', () => {
  it('--report-dir under /proc: refused at once (it used to hang at 100% CPU)', async () => {
    refused(
      await runOnBench('/proc/hil-no-such/reports'),
      /^command line --report-dir: \/proc\/hil-no-such\/reports: \/proc is not a place for reports \(procfs\)$/m,
    );
  });

  it('--report-dir under /sys', async () => {
    refused(
      await runOnBench('/sys/hil-no-such/reports'),
      /^command line --report-dir: \/sys\/hil-no-such\/reports: \/sys is not a place for reports \(sysfs\)$/m,
    );
  });

  it('--report-dir on a read-only filesystem', async () => {
    const ro = await readOnlyDir();
    refused(await runOnBench(join(ro, 'reports')), new RegExp(`^command line --report-dir: ${ro}/reports: ${ro} is read-only$`, 'm'));
  });

  it('--report-dir below a device', async () => {
    refused(
      await runOnBench('/dev/null/reports'),
      /^command line --report-dir: \/dev\/null\/reports: \/dev\/null is a character device, not a directory$/m,
    );
  });

  it('--report-dir through a dangling symbolic link', async () => {
    const link = join(bench.dir, 'gone');
    await execa('ln', ['-s', join(bench.dir, 'nowhere'), link]);
    refused(
      await runOnBench(join(link, 'reports')),
      new RegExp(
        `^command line --report-dir: ${link}/reports: ${link} is a symbolic link to ${bench.dir}/nowhere, which does not exist$`,
        'm',
      ),
    );
  });

  it('HIL_STATE_DIR under /proc or read-only: refused for hil run and hil rig check, nothing made', async () => {
    const reports = join(bench.dir, 'reports');
    refused(
      await runOnBench(reports, { HIL_STATE_DIR: '/proc/hil-no-such/state' }),
      /^environment HIL_STATE_DIR: \/proc\/hil-no-such\/state: \/proc is not a place for hil's state \(procfs\)$/m,
    );
    const ro = await readOnlyDir();
    refused(
      await runOnBench(reports, { HIL_STATE_DIR: join(ro, 'state') }),
      new RegExp(`^environment HIL_STATE_DIR: ${ro}/state: ${ro} is read-only$`, 'm'),
    );
    expect(existsSync(reports)).toBe(false);
    const check = await timedHil(['rig', 'check', bench.rig('plain')], {
      env: { HIL_STATE_DIR: '/proc/hil-no-such/state' },
      timeoutMs: 60_000,
    });
    refused(check, /^environment HIL_STATE_DIR: \/proc\/hil-no-such\/state: \/proc is not a place for hil's state \(procfs\)$/m);
  });

  it('hil teeth: --report-dir or HIL_STATE_DIR under /proc is refused before the first build', async () => {
    refused(
      await timedHil(['teeth', '--report-dir', '/proc/hil-no-such/teeth']),
      /^command line --report-dir: \/proc\/hil-no-such\/teeth: \/proc is not a place for reports \(procfs\)$/m,
    );
    refused(
      await timedHil(['teeth', '--report-dir', join(bench.dir, 'teeth')], { env: { HIL_STATE_DIR: '/proc/hil-no-such/state' } }),
      /^environment HIL_STATE_DIR: \/proc\/hil-no-such\/state: \/proc is not a place for hil's state \(procfs\)$/m,
    );
    expect(existsSync(join(bench.dir, 'teeth'))).toBe(false);
  });

  it('hil report merge --out under /proc or below a file', async () => {
    const file = join(bench.dir, 'a-file');
    writeFileSync(file, 'not a folder');
    refused(
      await timedHil(['report', 'merge', bench.dir, '--out', '/proc/hil-no-such/merged']),
      /^command line --out: \/proc\/hil-no-such\/merged: \/proc is not a place for reports \(procfs\)$/m,
    );
    refused(
      await timedHil(['report', 'merge', bench.dir, '--out', join(file, 'merged')]),
      new RegExp(`^command line --out: ${file}/merged: ${file} is a file, not a directory$`, 'm'),
    );
    expect(readdirSync(bench.dir).sort()).toEqual(['a-file', 'board-end', 'hil-end'].sort());
  });

  it('a folder another user owns: refused for a user who cannot write in it', async () => {
    const theirs = mkdtempSync(join(tmpdir(), 'hil-theirs-'));
    try {
      chmodSync(theirs, 0o755);
      // As nobody (the test runs as root, which may write anywhere).
      const r = await hil(['report', 'merge', theirs, '--out', join(theirs, 'merged')], {
        wrap: ['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups'],
      });
      expect(r.stderr).toMatch(
        new RegExp(`^command line --out: ${theirs}/merged: ${theirs} is not writable by this user \\(uid 65534\\)$`, 'm'),
      );
      expect(r.code).toBe(2);
      expect(readdirSync(theirs)).toEqual([]);
    } finally {
      rmSync(theirs, { recursive: true, force: true });
    }
  });
});
