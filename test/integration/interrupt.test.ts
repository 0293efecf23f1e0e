import { afterAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HIL_BIN, ROOT } from '../helpers/hilCli.js';
import { processesMentioning } from '../helpers/processes.js';

/** Interrupted while step 4 sleeps: however fast the rig, the signal lands in the first case. */
const SCENARIO = join(ROOT, 'test/fixtures/interrupt/hold-mid-case.yaml');

/** Ctrl-C or a CI cancel mid-case: power goes off, QEMU is gone, the partial report is written, exit 128+n. */
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('%s during a run', (signal, code) => {
  it(`switches power off, writes the reports and exits ${code}`, async () => {
    const reports = mkdtempSync(join(tmpdir(), 'hil-interrupt-'));
    dirs.push(reports);
    const child = execa(process.execPath, [HIL_BIN, 'run', SCENARIO, '--report-dir', reports, '-v'], {
      cwd: ROOT,
      reject: false,
      env: { NO_COLOR: '1', HIL_WAIT: '900' }, // queue behind other tests' runs on the virtual rig
      timeout: 120_000,
    });
    // Interrupt once the board is up and the case is waiting on it.
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('step 4:')) setTimeout(resolve, 300);
      });
    });
    child.kill(signal);
    const result = await child;
    expect(result.exitCode).toBe(code);
    expect(result.stdout).toMatch(/0 passed, 0 failed, 1 errors, 2 skipped/);
    const junit = readFileSync(join(reports, 'junit.xml'), 'utf8');
    expect(junit).toMatch(new RegExp(`<error message="[^"]*interrupted by ${signal}`));
    expect(junit).toMatch(/<skipped message="not run: the run was interrupted"/);
    const run = readdirSync(reports).find((d) => d !== 'junit.xml')!;
    const events = readFileSync(join(reports, run, 'hold-mid-case_n=1', 'timeline.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.at(-1)).toMatchObject({ type: 'power', state: 'off', cause: 'case-end' });
    expect(processesMentioning(`${ROOT}.hil/`)).toEqual([]);
  });
});
