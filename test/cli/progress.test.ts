import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil, HIL_BIN, ROOT } from '../helpers/hilCli.js';

/**
 * What a run prints as it goes: in a pipe (a CI log) plain lines, each step and case with its duration and no
 * cursor escape; on a terminal (a real pty, through script(1)) a live block under them with the case under
 * way, its elapsed time and the run's ETA, wiped before the summary.
 */
const reports = mkdtempSync(join(tmpdir(), 'hil-progress-'));
afterAll(() => rmSync(reports, { recursive: true, force: true }));

const ESC = '\u001b';

/** The screen a terminal is left with: `ESC[nF ESC[J` (the live block's wipe) takes back the last n lines. */
function finalScreen(raw: string): string[] {
  const screen: string[] = [];
  let line = '';
  for (const token of raw.replace(/\r/g, '').split(/(\u001b\[\d+F\u001b\[J|\n)/)) {
    const wipe = /^\u001b\[(\d+)F\u001b\[J$/.exec(token);
    if (wipe) screen.splice(screen.length - Number(wipe[1]));
    else if (token === '\n') {
      screen.push(line);
      line = '';
    } else line += token;
  }
  return line ? [...screen, line] : screen;
}

describe('hil run progress', () => {
  jest.setTimeout(180_000);

  it('piped with -v and --json: steps, flashes and cases with durations on stderr, the counts in the JSON', async () => {
    const r = await hil(['run', 'rollback-powerfail', '--param', 'cut_after=20ms', '-v', '--json', '--report-dir', reports], {
      timeoutMs: 170_000,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain(ESC);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe('[1/1] rollback-powerfail[cut_after=20ms] on virtual');
    // Every step line ends with its duration.
    const steps = lines.filter((l) => /^ {2}step \d+: /.test(l));
    expect(steps.length).toBeGreaterThanOrEqual(12);
    for (const l of steps.filter((s) => !/^ {2}step 1: /.test(s))) expect(l).toMatch(/ \((\d+ms|\d+\.\ds)\)$/);
    for (let n = 1; n <= 12; n++)
      expect(steps.some((l) => new RegExp(`^ {2}step ${n}: .* \\((\\d+ms|\\d+\\.\\ds)\\)$`).test(l))).toBe(true);
    // Flashing the virtual rig: the bytes of each image and the rate.
    expect(r.stderr).toMatch(/^ {4}program bootloader: \d+\.\d KiB in \d+ ms( \(\d+(\.\d)? (bytes|KiB|MiB|GiB)\/s\))?$/m);
    expect(r.stderr).toMatch(/^ {2}PASS rollback-powerfail\[cut_after=20ms\] \(\d+\.\ds\)$/m);
    const json = JSON.parse(r.stdout) as { summary: Record<string, number>; cases: unknown[] };
    expect(json.summary).toEqual({ passed: 1, failed: 0, errors: 0, skipped: 0 });
    expect(json.cases).toHaveLength(1);
  });

  it('on a terminal: the case under way with its elapsed time and the ETA, redrawn in place, wiped at the end', async () => {
    const args = ['run', 'rollback-powerfail', '--param', 'cut_after=20ms,60ms', '--report-dir', reports];
    const command = [process.execPath, HIL_BIN, ...args].map((a) => `'${a}'`).join(' ');
    const r = await execa('script', ['-qec', command, '/dev/null'], {
      cwd: ROOT,
      reject: false,
      timeout: 170_000,
      env: { NO_COLOR: '1', HIL_WAIT: '900', HIL_QUARANTINE_AFTER: '0' },
      forceKillAfterDelay: 2_000,
    });
    expect(r.exitCode).toBe(0);
    const raw = r.stdout;
    // The live block: the case line with its time, the run's counts, elapsed time and ETA (known once a case ended).
    expect(raw).toMatch(/\[1\/2\] rollback-powerfail\[cut_after=20ms\] on virtual {2}\d+\.\ds/);
    expect(raw).toMatch(/0\/2 done \(0 passed\) {2}elapsed 0:\d\d {2}ETA --:--/);
    expect(raw).toMatch(/\[2\/2\] rollback-powerfail\[cut_after=60ms\] on virtual {2}\d+\.\ds/);
    expect(raw).toMatch(/1\/2 done \(1 passed\) {2}elapsed 0:\d\d {2}ETA 0:\d\d/);
    expect(raw).toMatch(/\u001b\[\d+F\u001b\[J/);
    // What stays on the screen is what a pipe gets: no block left over.
    const screen = finalScreen(raw);
    expect(screen.filter((l) => /done \(|ETA/.test(l))).toEqual([]);
    expect(screen.filter((l) => /^\[\d\/2\]|^ {2}PASS/.test(l)).map((l) => l.replace(/\(\d+\.\ds\)/, '(Ns)'))).toEqual([
      '[1/2] rollback-powerfail[cut_after=20ms] on virtual',
      '  PASS rollback-powerfail[cut_after=20ms] (Ns)',
      '[2/2] rollback-powerfail[cut_after=60ms] on virtual',
      '  PASS rollback-powerfail[cut_after=60ms] (Ns)',
    ]);
    expect(screen).toContain('2 passed, 0 failed, 0 errors');
  });
});
