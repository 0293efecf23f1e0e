import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hil, ROOT } from '../helpers/hilCli.js';
import { PtyBench } from '../helpers/ptyBench.js';

/**
 * The foundation end to end with no emulator: hil's serial console on a real pty (socat), a scripted board on
 * the other end, power through the `command` driver. One passing, one failing and one erroring run.
 */
const SCENARIO = join(ROOT, 'test/fixtures/ptyboard/boot.yaml');
let bench: PtyBench;
let dir: string;

function writeRig(name: string, mode: string, consolePath = bench.consolePath) {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      'description: scripted pty board',
      `console: { kind: serial, path: ${consolePath}, baud: 115200 }`,
      `power: { kind: command, on: 'echo ${mode} > ${bench.powerFile}', off: 'rm -f ${bench.powerFile}' }`,
    ].join('\n'),
  );
  return file;
}

function junitOf(reportDir: string): string {
  return readFileSync(join(reportDir, 'junit.xml'), 'utf8');
}

beforeAll(async () => {
  bench = new PtyBench();
  dir = bench.dir;
  await bench.start();
});

afterAll(async () => {
  expect(await bench.stop()).toEqual([]);
});

describe('hil run against a scripted board on a pty', () => {
  it('passes (exit 0) when the board boots as the model says, and writes the case files', async () => {
    const reports = join(dir, 'reports-pass');
    const r = await hil(['run', SCENARIO, '--rig', writeRig('pty-good', 'good'), '--report-dir', reports]);
    expect(r.stdout).toMatch(/^1 passed, 0 failed, 0 errors$/m);
    expect(r.code).toBe(0);
    const xml = junitOf(reports);
    expect(xml).toMatch(/<testcase [^>]*name="boot"/);
    expect(xml).not.toMatch(/<failure|<error/);
    expect(xml).toContain('Ready v1.0.0');
    const run = readdirSync(reports).find((d) => d !== 'junit.xml')!;
    const caseDir = join(reports, run, 'boot');
    expect(readFileSync(join(caseDir, 'console.log'), 'utf8')).toMatch(/\]\s*Booting board-sim/);
    const events = readFileSync(join(caseDir, 'timeline.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.some((e) => e.type === 'power' && e.state === 'on')).toBe(true);
    expect(events.some((e) => e.type === 'model')).toBe(true);
    const times = events.map((e) => e.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(JSON.parse(readFileSync(join(caseDir, 'result.json'), 'utf8')).status).toBe('pass');
  });

  it('fails (exit 1) with a <failure> naming the state when the board prints the wrong line', async () => {
    const reports = join(dir, 'reports-fail');
    const r = await hil(['run', SCENARIO, '--rig', writeRig('pty-bad', 'bad'), '--report-dir', reports]);
    expect(r.stdout).toMatch(/^0 passed, 1 failed, 0 errors$/m);
    expect(r.code).toBe(1);
    const xml = junitOf(reports);
    expect(xml).toMatch(/<failure [^>]*message="[^"]*PANIC/);
    expect(xml).toContain('started');
    expect(xml).not.toMatch(/<error/);
  });

  it('errors (exit 3) with an <error> when the console path does not exist', async () => {
    const reports = join(dir, 'reports-error');
    const r = await hil(['run', SCENARIO, '--rig', writeRig('pty-missing', 'good', join(dir, 'nope')), '--report-dir', reports]);
    expect(r.stdout).toMatch(/^0 passed, 0 failed, 1 errors?$/m);
    expect(r.code).toBe(3);
    const xml = junitOf(reports);
    expect(xml).toMatch(/<error [^>]*message="[^"]*nope/);
    expect(xml).not.toMatch(/<failure/);
    expect(existsSync(bench.powerFile)).toBe(false);
  });
});
