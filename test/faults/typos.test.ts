import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timedHil } from '../helpers/timedHil.js';

/**
 * A typo in a run's values is the user's, caught before a lease is taken: exit 2 naming the file, line and field,
 * quickly, with nothing touched (no lease, no QEMU, no flash file, no report) and no rig error counted towards
 * quarantine, even with a quarantine after one error.
 */
const dir = mkdtempSync(join(tmpdir(), 'hil-typos-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A scenario for the virtual rig whose steps after the boot are `steps`. */
function scenario(name: string, steps: string[], params = ''): string {
  const file = join(dir, `${name}.yaml`);
  const all = ['flash: { erase: [primary, secondary], images: [bootloader, factory] }', 'power: on', 'wait: no-image', ...steps];
  writeFileSync(
    file,
    `name: ${name}\n${params}steps:\n${all.map((s) => `  - ${s}`).join('\n')}\n` +
      `expect:\n  patterns: { NO_IMAGE: 'No valid image found', ROLLBACK: 'Rollback initiated' }\n` +
      `  model:\n    initial: off\n    on: { POWER_OFF: off }\n    states:\n      off: { on: { POWER_ON: booting } }\n` +
      `      booting: { on: { NO_IMAGE: no-image } }\n      no-image: { on: { ROLLBACK: rolling-back } }\n      rolling-back: {}\n`,
  );
  return file;
}

const TYPOS: Array<[string, () => string[], RegExp]> = [
  [
    '--param cut_after=-5ms',
    () => ['rollback-powerfail', '--param', 'cut_after=-5ms'],
    /rollback-powerfail\.yaml:\d+:\d+ steps\[4\]\.cut\.after: .*"-5ms"/,
  ],
  [
    '--param cut_after=1e309',
    () => ['rollback-powerfail', '--param', 'cut_after=1e309'],
    /rollback-powerfail\.yaml:\d+:\d+ steps\[4\]\.cut\.after: .*"1e309"/,
  ],
  [
    'a bad point in a --param sweep',
    () => ['rollback-powerfail', '--param', 'cut_after=20ms,60ms,NaNms'],
    /steps\[4\]\.cut\.after: .*"NaNms"/,
  ],
  [
    '--case with cut_after=NaNms',
    () => ['rollback-powerfail', '--case', 'rollback-powerfail[cut_after=NaNms]'],
    /steps\[4\]\.cut\.after: .*"NaNms"/,
  ],
  ['--shard 2/1', () => ['rollback-powerfail', '--shard', '2/1'], /--shard: .*"2\/1"/],
  [
    'a sweep value that is no state of the model (not the first)',
    () => [scenario('state-typo', ["wait: '${target}'"], 'params: { target: [no-image, rolling-bak] }\n'), '--rig', 'virtual'],
    /state-typo\.yaml:\d+:\d+ steps\[3\]\.wait: no state "rolling-bak" in the model.*did you mean "rolling-back"/,
  ],
  [
    '--param naming a state the model lacks',
    () => [
      scenario('param-state', ["wait: '${target}'"], 'params: { target: [no-image] }\n'),
      '--rig',
      'virtual',
      '--param',
      'target=no-imag',
    ],
    /param-state\.yaml:\d+:\d+ steps\[3\]\.wait: no state "no-imag"/,
  ],
  [
    'a button the rig lacks',
    () => [scenario('output-typo', ['button: { press: usr, hold: 20ms }']), '--rig', 'virtual'],
    /output-typo\.yaml:\d+:\d+ steps\[3\]\.button: rig virtual has no output "usr"/,
  ],
  [
    'a region the rig lacks',
    () => [scenario('region-typo', ['inspect: { region: primry, image: valid }']), '--rig', 'virtual'],
    /region-typo\.yaml:\d+:\d+ steps\[3\]\.inspect: rig virtual has no region "primry"/,
  ],
  [
    'an erase of a region the rig lacks',
    () => [scenario('erase-typo', ['flash: { erase: [scratchpad] }']), '--rig', 'virtual'],
    /erase-typo\.yaml:\d+:\d+ steps\[3\]\.flash: rig virtual has no region "scratchpad"/,
  ],
  [
    'a cut at a function the firmware lacks, in a hit sweep (gdb could not arm it, at run time)',
    () => [
      scenario('symbol-typo', ["cut: { at: { symbol: flash_program_wrd, hit: '${hit}' } }"], 'params: { hit: [1, 2, 3] }\n'),
      '--rig',
      'virtual',
    ],
    /^[^\n]*symbol-typo\.yaml:\d+:\d+ steps\[3\]\.cut\.at\.symbol: no function "flash_program_wrd" in bootloader\.elf \(did you mean "flash_program_word"\?\) \(case symbol-typo\[hit=1\]\)$/,
  ],
  [
    'a torn word cut at the erase function (the fault model failed at the hit)',
    () => [scenario('fault-op', ['cut: { at: { symbol: flash_erase_sector, hit: 2 }, fault: torn-word }']), '--rig', 'virtual'],
    /fault-op\.yaml:\d+:\d+ steps\[3\]\.cut\.fault: fault torn-word models an interrupted program; flash_erase_sector is rig virtual's flash erase/,
  ],
  [
    'a fault model cut where the rig names no flash operation',
    () => [scenario('fault-where', ['cut: { at: { symbol: con_line, hit: 1 }, fault: after-op }']), '--rig', 'virtual'],
    /fault-where\.yaml:\d+:\d+ steps\[3\]\.cut\.fault: fault after-op at con_line: rig virtual's flashOps name no flash operation there \(they name flash_program_word \(program\), flash_erase_sector \(erase\)\)/,
  ],
  [
    'a rig whose flashOps read an argument from a register none arrives in',
    () => [
      scenario('ops-register', ['cut: { at: { symbol: flash_program_word, hit: 1 }, fault: torn-word }']),
      '--rig',
      'test/fixtures/bad/corpus/rig-flashops-register.yaml',
    ],
    /rig-flashops-register\.yaml:\d+:\d+ resources\.qemu\.flashOps\.program\.data: r5 is not an argument register/,
  ],
];

describe('a typo in what a run is given', () => {
  it.each(TYPOS)('%s: exit 2 naming file:line and field, < 2 s, nothing touched, no quarantine', async (name, args, message) => {
    const state = join(dir, `state-${name.replace(/\W+/g, '-')}`);
    const reports = join(dir, `reports-${name.replace(/\W+/g, '-')}`);
    const r = await timedHil(['run', ...args(), '--report-dir', reports], {
      env: { HIL_STATE_DIR: state, HIL_QUARANTINE_AFTER: '1', HIL_WAIT: '0' },
    });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(message) });
    expect(r.all).not.toMatch(/\n\s+at .*:\d+:\d+\)?$/m);
    expect(r.cpuMs).toBeLessThan(2_000);
    expect(r.wallMs).toBeLessThan(10_000);
    // Nothing in the state root (no lease taken, no quarantine record, no flash file) and no report.
    expect(existsSync(state) ? readdirSync(state, { recursive: true }) : []).toEqual([]);
    expect(existsSync(reports)).toBe(false);
  });
});
