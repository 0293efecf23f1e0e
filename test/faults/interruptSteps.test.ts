import { afterEach, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootScenario, printed, PtyBench } from '../helpers/ptyBench.js';

/**
 * Ctrl-C (SIGINT) or a CI cancel (SIGTERM) while each kind of step is running on the pty board: the step is
 * abandoned, power goes off, the partial report is valid and names the signal, hil exits 128+n, and nothing
 * it started (a half-run power or button command included) is left running.
 */
let bench: PtyBench;

afterEach(async () => {
  expect(await bench.stop()).toEqual([]);
});

/** [step kind, step under test (1-based), middle steps of the boot scenario, slow commands in the rig] */
const KINDS: Array<[string, number, string[], { power?: boolean; button?: boolean }]> = [
  ['power', 1, [], { power: true }],
  ['wait', 3, ['wait: { state: never, timeout: 60s }'], {}],
  ['sleep', 3, ['sleep: 60s'], {}],
  ['cut', 3, ['cut: { on: NEVER }'], {}],
  ['button', 3, ['button: { press: user }'], { button: true }],
  // A send is over in a millisecond: the signal lands right after it starts.
  ['send', 3, ['send: reset', 'wait: { state: never, timeout: 60s }'], {}],
];

describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('%s', (signal, code) => {
  it.each(KINDS)(`during a %s step: power off, partial report, exit ${code}`, async (kind, stepNo, middle, slow) => {
    bench = new PtyBench();
    await bench.start();
    const on = `echo good > ${bench.powerFile}`;
    const rig = bench.rig(kind, {
      power: `power: { kind: command, on: '${slow.power ? `sleep 30; ${on}` : on}', off: 'rm -f ${bench.powerFile}' }`,
      outputs: slow.button ? `outputs: { user: { kind: command, on: 'sleep 30 # ${bench.dir}', off: 'true # ${bench.dir}' } }` : undefined,
    });
    const reports = join(bench.dir, 'reports');
    const child = bench.run(['run', bench.scenario(kind, bootScenario(kind, middle)), '--rig', rig, '--report-dir', reports, '-v']);
    await printed(child, `step ${stepNo}:`);
    await new Promise((r) => setTimeout(r, kind === 'send' ? 0 : 300));
    // Signalled directly: execa's kill() would SIGKILL a SIGTERMed hil that takes over its grace to stop.
    process.kill(child.pid!, signal);
    const r = await child;
    expect(r.exitCode).toBe(code);
    expect(r.stdout).toMatch(/0 passed, 0 failed, 1 errors/);
    const junit = readFileSync(join(reports, 'junit.xml'), 'utf8');
    expect(junit).toMatch(new RegExp(`<error message="[^"]*interrupted by ${signal}`));
    const run = readdirSync(reports).find((d) => d !== 'junit.xml')!;
    expect(JSON.parse(readFileSync(join(reports, run, 'results.json'), 'utf8')).cases[0].status).toBe('error');
    const events = readFileSync(join(reports, run, kind, 'timeline.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.some((e) => e.type === 'step' && e.index === stepNo - 1 && e.key === kind && e.phase === 'start')).toBe(true);
    expect(events.findLast((e) => e.type === 'power')).toMatchObject({ state: 'off', cause: 'case-end' });
    expect(existsSync(bench.powerFile)).toBe(false);
  });
});
