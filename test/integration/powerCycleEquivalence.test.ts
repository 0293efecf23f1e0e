import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil, ROOT } from '../helpers/hilCli.js';
import { strays } from '../helpers/processes.js';

/**
 * The two ways the virtual rig cuts power must look the same to the firmware: a new QEMU per power-on
 * (powerCycle restart, SIGKILL) and one QEMU stopped, cleared and reset (powerCycle reset). Cut at the same exact
 * word of the rollback copy, both leave the same bytes in flash, and the next boot prints the same lines.
 */
let dir: string;

function rigFile(mode: 'restart' | 'reset'): string {
  const virtual = readFileSync(join(ROOT, 'rigs/virtual.yaml'), 'utf8');
  const file = join(dir, `virtual-${mode}.yaml`);
  writeFileSync(
    file,
    virtual
      .replace(/^name: virtual$/m, `name: virtual-${mode}`)
      .replace(/^( +)powerCycle: reset\b.*$/m, `$1powerCycle: ${mode}\n$1stateDir: state-${mode}`)
      .replaceAll('virtual/firmware/build/', 'firmware/'),
  );
  return file;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-equivalence-'));
  // Images must live in the project: this folder is one, with its own copy of the firmware.
  cpSync(join(ROOT, 'rigs/virtual/firmware/build'), join(dir, 'firmware'), { recursive: true });
  const exhaustive = readFileSync(join(ROOT, 'scenarios/rollback-powerfail-exhaustive.yaml'), 'utf8');
  // The exhaustive scenario up to the boot after the cut: what the cut left is all that is compared.
  const steps = `steps:
  - flash: { erase: [primary, secondary], images: [bootloader, factory] }
  - power: on
  - wait: no-image
  - cut: { at: { symbol: flash_program_word, hit: '\${hit}', image: bootloader }, within: 10s }
  - button: { press: user, hold: 20ms }
  - wait: { state: off, timeout: 30s }
  - power: on
  - wait: { state: no-image, timeout: 5s }
`;
  writeFileSync(
    join(dir, 'cut-then-boot.yaml'),
    `name: cut-then-boot\nrigs: { labels: [mcuboot-factory-rollback] }\nparams: { hit: [1] }\n${steps}${exhaustive.slice(exhaustive.indexOf('expect:'))}`,
  );
});

afterAll(() => {
  expect(strays(dir)).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
});

/** Flash and console after a cut at `hit` on one rig: the NV file and the lines, without their times. */
async function cutAt(mode: 'restart' | 'reset', hit: number) {
  const reports = join(dir, `reports-${mode}-${hit}`);
  const r = await hil(['run', join(dir, 'cut-then-boot.yaml'), '--rig', rigFile(mode), '--param', `hit=${hit}`, '--report-dir', reports], {
    cwd: dir,
    timeoutMs: 120_000,
  });
  expect(r.all).toMatch(/^1 passed, 0 failed, 0 errors$/m);
  const run = readdirSync(reports).find((d) => /^\d{4}-/.test(d))!;
  const lines = readFileSync(join(reports, run, `cut-then-boot_hit=${hit}`, 'console.log'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/^\[[\s\d.]+\] /, ''));
  return { nv: readFileSync(join(dir, `state-${mode}`, 'nv.img')), lines };
}

describe('powerCycle reset and restart', () => {
  it.each([1, 250, 553])(
    'cut before word %i: the same flash and the same next boot either way',
    async (hit) => {
      const restart = await cutAt('restart', hit);
      const reset = await cutAt('reset', hit);
      expect(reset.lines).toEqual(restart.lines);
      expect(reset.lines).toContain('[ERR] No valid image found. Press USER button to roll back to factory app');
      // Not toEqual: jest's deep comparison of 16 MiB takes minutes.
      expect(reset.nv.equals(restart.nv)).toBe(true);
    },
    300_000,
  );
});
