import { afterAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HIL_BIN, hil, ROOT } from '../helpers/hilCli.js';
import { processesMentioning } from '../helpers/processes.js';
import { until } from '../helpers/until.js';

/**
 * Rig leases and quarantine on the virtual rig, each in its own project folder (its own .hil/: leases, quarantine,
 * the board's NV flash), so these runs never meet other tests' runs of the virtual rig.
 */
const dirs: string[] = [];
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hil-lease-it-'));
  mkdirSync(join(dir, 'rigs'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) {
    for (const p of processesMentioning(`${dir}/`)) process.kill(Number(p.split(' ')[0]), 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

interface CaseJson {
  status: string;
  startedAt: string;
  durationMs: number;
  message?: string;
  properties: Record<string, string>;
}
function results(reportDir: string): { cases: CaseJson[] } {
  const run = readdirSync(reportDir).find((d) => d !== 'junit.xml')!;
  return JSON.parse(readFileSync(join(reportDir, run, 'results.json'), 'utf8')) as { cases: CaseJson[] };
}

/** Rig images must live in the project: a rig copy gets its own copy of the virtual board's firmware. */
function copyFirmware(cwd: string): void {
  cpSync(join(ROOT, 'rigs/virtual/firmware/build'), join(cwd, 'rigs', 'fw'), { recursive: true, filter: (src) => !src.includes('/obj') });
}

const SCENARIO = 'factory-missing'; // the shortest shipped scenario: one case, a few seconds

describe('rig leases', () => {
  it('two concurrent runs on one rig never overlap, and a third without --wait fails fast naming the holder', async () => {
    const cwd = project();
    const leaseFile = join(cwd, '.hil', 'leases', 'virtual.json');
    const a = execa(process.execPath, [HIL_BIN, 'run', SCENARIO, '--report-dir', 'ra', '--wait', '120'], {
      cwd,
      reject: false,
      timeout: 120_000,
      env: { NO_COLOR: '1' },
    });
    const b = execa(process.execPath, [HIL_BIN, 'run', SCENARIO, '--report-dir', 'rb', '--wait', '120'], {
      cwd,
      reject: false,
      timeout: 120_000,
      env: { NO_COLOR: '1' },
    });
    await until('the lease file', () => existsSync(leaseFile), 30_000);
    const c = await hil(['run', SCENARIO, '--report-dir', 'rc'], { cwd, env: { HIL_WAIT: '0' } });
    const [ra, rb] = await Promise.all([a, b]);

    expect([ra.exitCode, rb.exitCode]).toEqual([0, 0]);
    const [ca, cb] = [results(join(cwd, 'ra')).cases[0]!, results(join(cwd, 'rb')).cases[0]!];
    const span = (x: CaseJson) => [Date.parse(x.startedAt), Date.parse(x.startedAt) + x.durationMs] as const;
    const [first, second] = [span(ca), span(cb)].sort((x, y) => x[0] - y[0]);
    expect(first![1]).toBeLessThanOrEqual(second![0]);
    expect(`${ra.stdout}${rb.stdout}`).toMatch(/rig virtual is in use by pid \d+ .*; waiting/);

    expect(c.code).toBe(3);
    expect(c.stdout).toMatch(
      // Whichever of the two holds the rig by then: on a loaded runner the first may be done before this asks.
      new RegExp(`ERROR ${SCENARIO} \\(0\\.0s\\): rig virtual is in use by pid (${a.pid}|${b.pid}) on \\S+ since \\d{4}-`),
    );
    expect(readFileSync(join(cwd, 'rc', 'junit.xml'), 'utf8')).toMatch(/<error message="rig virtual is in use by pid/);
    expect(existsSync(leaseFile)).toBe(false);
  }, 120_000);

  it('takes over the lease of a SIGKILLed run, with a note', async () => {
    const cwd = project();
    const leaseFile = join(cwd, '.hil', 'leases', 'virtual.json');
    const crashed = execa(process.execPath, [HIL_BIN, 'run', SCENARIO, '--report-dir', 'r1'], {
      cwd,
      reject: false,
      detached: true,
      timeout: 60_000,
    });
    await until('the lease file', () => existsSync(leaseFile), 30_000);
    const pid = crashed.pid!;
    process.kill(-pid, 'SIGKILL');
    await crashed;
    // What a killed CI job leaves: QEMU of the dead runner, if it had started one; the runner itself is gone.
    for (const p of processesMentioning(`${cwd}/`)) process.kill(Number(p.split(' ')[0]), 'SIGKILL');
    expect(JSON.parse(readFileSync(leaseFile, 'utf8'))).toMatchObject({ pid });

    const next = await hil(['run', SCENARIO, '--report-dir', 'r2'], { cwd });
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(new RegExp(`took over the lease of pid ${pid} .*its process ${pid} is gone`));
    expect(existsSync(leaseFile)).toBe(false);
  }, 90_000);
});

describe('a rig that keeps erroring', () => {
  it('gives JUnit <error> and exit 3, retries the case, is quarantined after N errors, and rig check puts it back', async () => {
    const cwd = project();
    const virtual = readFileSync(join(ROOT, 'rigs', 'virtual.yaml'), 'utf8')
      .replace(/^name: virtual$/m, 'name: bench')
      .replaceAll('virtual/firmware/build/', 'fw/');
    copyFirmware(cwd);
    const rigFile = join(cwd, 'rigs', 'bench.yaml');
    // An emulator that is not there: every case needs it, where a debugger is needed only by a code cut.
    writeFileSync(rigFile, virtual.replace(/^ {4}machine: mps2-an385/m, '    qemu: /nonexistent/qemu-system-arm\n$&'));

    const first = await hil(['run', SCENARIO, '--rig', 'bench', '--report-dir', 'r1', '--retries', '1', '--quarantine-after', '2'], {
      cwd,
    });
    expect(first.code).toBe(3);
    const junit = readFileSync(join(cwd, 'r1', 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<error message="[^"]*\/nonexistent\/qemu-system-arm/);
    expect(junit).not.toMatch(/<failure/);
    expect(junit).toMatch(/<property name="attempts" value="2"\/>/);
    expect(junit).toMatch(/<property name="attempt.1.status" value="error"\/>/);
    expect(first.stdout).toMatch(/rig bench is quarantined since .* after 2 rig errors in a row/);
    expect(existsSync(join(cwd, '.hil', 'quarantine', 'bench.json'))).toBe(true);

    const skipped = await hil(['run', SCENARIO, '--rig', 'bench', '--report-dir', 'r2'], { cwd });
    expect(skipped.code).toBe(3);
    expect(skipped.stdout).toMatch(/SKIP factory-missing \(0\.0s\): not run: rig bench is quarantined .*hil rig check bench/);
    expect(results(join(cwd, 'r2')).cases[0]).toMatchObject({ status: 'skipped', properties: { quarantined: 'true' } });

    expect((await hil(['rig', 'check', 'bench'], { cwd })).code).toBe(3);
    expect(existsSync(join(cwd, '.hil', 'quarantine', 'bench.json'))).toBe(true);

    writeFileSync(rigFile, virtual);
    const check = await hil(['rig', 'check', 'bench'], { cwd });
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/out of quarantine/);
    const back = await hil(['run', SCENARIO, '--rig', 'bench', '--report-dir', 'r3'], { cwd });
    expect(back.code).toBe(0);
  }, 120_000);
});

describe('hil rig health', () => {
  it("runs the rig's health scenario on a quarantined rig and, when it passes, puts the rig back in service", async () => {
    const cwd = project();
    const rig = readFileSync(join(ROOT, 'rigs', 'virtual.yaml'), 'utf8')
      .replace(/^name: virtual$/m, 'name: bench\nhealth: factory-missing')
      .replaceAll('virtual/firmware/build/', 'fw/');
    copyFirmware(cwd);
    writeFileSync(join(cwd, 'rigs', 'bench.yaml'), rig);
    mkdirSync(join(cwd, '.hil', 'quarantine'), { recursive: true });
    writeFileSync(
      join(cwd, '.hil', 'quarantine', 'bench.json'),
      JSON.stringify({ rig: 'bench', consecutiveErrors: 3, quarantinedAt: '2026-11-24T01:00:00.000Z' }),
    );

    const r = await hil(['rig', 'health', 'bench', '--report-dir', 'rh'], { cwd });
    expect(r.stdout).toMatch(/running its health scenario factory-missing/);
    expect(r.stdout).toMatch(/^1 passed, 0 failed, 0 errors$/m);
    expect(r.stdout).toMatch(/out of quarantine/);
    expect(r.code).toBe(0);
    expect(existsSync(join(cwd, '.hil', 'quarantine', 'bench.json'))).toBe(false);
  }, 90_000);
});
