import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil, ROOT } from '../helpers/hilCli.js';
import { processesMentioning } from '../helpers/processes.js';

/** `hil teeth` builds the real firmware per mutant and runs a real scenario on the virtual rig against each. */
let reports: string;

beforeAll(() => {
  reports = mkdtempSync(join(tmpdir(), 'hil-teethcmd-'));
});

afterAll(() => {
  expect(processesMentioning(`${ROOT}.hil/`)).toEqual([]);
  rmSync(reports, { recursive: true, force: true });
});

describe('hil teeth', () => {
  it('prints which mutant the scenarios caught and which they missed, and exits 1 for the missed one', async () => {
    const r = await hil(['teeth', 'test/fixtures/teeth/teeth.yaml', '--report-dir', reports], { timeoutMs: 300_000 });
    const table = r.stdout
      .split('\n')
      .filter((l) => /^(variant|good|fixture-)/.test(l))
      .map((l) => l.split(/\s{2,}/));
    expect(table).toEqual([
      ['variant', 'verdict', 'caught by'],
      ['good', 'passes'],
      ['fixture-header-first', 'caught', 'rollback-powerfail[cut_after=60ms]'],
      ['fixture-comment-only', 'MISSED'],
    ]);
    expect(r.stdout).toMatch(/^caught 1 of 2 variants$/m);
    expect(r.code).toBe(1);
    // The good build ran first, and each variant has its own reports.
    expect(r.stderr.indexOf('good build: rollback-powerfail[cut_after=60ms] 1 of 1 cases passed')).toBeGreaterThanOrEqual(0);
    expect(readdirSync(reports).sort()).toEqual(['fixture-comment-only', 'fixture-header-first', 'good']);
  });

  it('with --all, runs every scenario on a mutant and lists every case that caught it', async () => {
    const file = join(reports, 'all.yaml');
    writeFileSync(
      file,
      `build: { dir: ${ROOT}rigs/virtual/firmware, command: make -s BUILD=out out/bootloader.bin, output: out/bootloader.bin, image: bootloader }\n` +
        'scenarios: [{ scenario: rollback-powerfail, params: { cut_after: 60ms } }, { scenario: upgrade-powerfail, params: { cut_after: 60ms } }]\n' +
        `mutants: [{ name: fixture-all-header-first, flags: "CC='arm-none-eabi-gcc -DVARIANT_HEADER_FIRST'" }]\n`,
    );
    const r = await hil(['teeth', file, '--all', '--report-dir', join(reports, 'all')], { timeoutMs: 300_000 });
    expect(r.stdout).toMatch(
      /^fixture-all-header-first +caught +rollback-powerfail\[cut_after=60ms\], upgrade-powerfail\[cut_after=60ms\]$/m,
    );
    expect(r.stdout).toMatch(/^caught 1 of 1 variants$/m);
    expect(r.code).toBe(0);
  });

  it('measures no mutant when the unmutated build fails a scenario (exit 1), and refuses one that does not build (exit 2)', async () => {
    const firmware = `${ROOT}rigs/virtual/firmware`;
    const teeth = (command: string) => {
      const file = join(reports, 'good-fails.yaml');
      writeFileSync(
        file,
        `build: { dir: ${firmware}, command: "${command}", output: out/bootloader.bin, image: bootloader }\n` +
          'scenarios: [{ scenario: rollback-powerfail, params: { cut_after: 60ms } }, ota-upgrade]\nmutants: [{ name: fixture-never-built, flags: X=1 }]\n',
      );
      return file;
    };
    const fails = await hil(
      [
        'teeth',
        teeth("make -s BUILD=out out/bootloader.bin CC='arm-none-eabi-gcc -DVARIANT_HEADER_FIRST'"),
        '--report-dir',
        join(reports, 'good-fails'),
      ],
      { timeoutMs: 300_000 },
    );
    expect(fails.stdout).toMatch(/^good {5}FAILS {4}rollback-powerfail\[cut_after=60ms\]$/m);
    expect(fails.stdout).toMatch(/^caught 0 of 0 variants \(1 not run\)$/m);
    // Every scenario ran on it, so the table names all it fails; no mutant was built.
    expect(fails.stderr).toMatch(/^good build: ota-upgrade 1 of 1 cases passed$/m);
    expect(fails.stderr).not.toMatch(/fixture-never-built/);
    expect(fails.code).toBe(1);

    const broken = await hil(
      ['teeth', teeth('make -s BUILD=out out/bootloader.bin CC=no-such-compiler'), '--report-dir', join(reports, 'good-broken')],
      { timeoutMs: 120_000 },
    );
    expect(broken.stderr).toMatch(
      /good-fails\.yaml:1:\d+ build\.command: the unmutated build fails \(exit 2\); its last lines:\n.*no-such-compiler/s,
    );
    expect(broken.code).toBe(2);
  });

  it('refuses a teeth file naming an unknown scenario before building anything: exit 2, file:line field', async () => {
    const file = join(reports, 'bad.yaml');
    writeFileSync(
      file,
      `build: { dir: ${ROOT}rigs/virtual/firmware, command: make, output: o.bin, image: bootloader }\nscenarios: [rollback-powerfial]\nmutants: [{ name: x, flags: X=1 }]\n`,
    );
    const r = await hil(['teeth', file]);
    expect(r.stderr).toMatch(/^\S*bad\.yaml:2:13 scenarios\[0\]: no scenario named "rollback-powerfial"/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });
});
