import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { SimulatedClock } from 'xstate';
import { Timeline } from '../../src/core/Timeline.js';
import type { RunnerEventType } from '../../src/expect/Expectation.js';
import { createExpectation } from '../../src/expect/ExpectationModel.js';
import { loadScenario } from '../../src/scenario/Scenario.js';
import { consoleFeed } from '../helpers/consoleFeed.js';
import { ROOT } from '../helpers/hilCli.js';

/**
 * The seed scenarios' models (the very files a real board runs) fed the bytes the real bootloaders print, written
 * from their sources (Infineon's MCUboot rollback example v2.0.0 and its README's Figure 6; the Mbed bootloader
 * v4.0.x with its progress bar), not from hil's own firmware: `\n\r` line ends, `\r` redraws, a power cut
 * mid-copy, and the boot after it.
 */
function run(scenario: string) {
  const spec = loadScenario(join(ROOT, 'scenarios', `${scenario}.yaml`)).expect;
  const clock = new SimulatedClock();
  const x = createExpectation(spec, { timeline: new Timeline(), clock });
  const feed = consoleFeed(x);
  const states: string[] = [x.state()];
  let t = 0;
  const step = () => {
    t += 5;
    clock.increment(5);
    if (states.at(-1) !== x.state()) states.push(x.state());
  };
  return {
    x,
    states,
    lines: () => feed.lines.map((l) => l.text),
    /** One read of the console. */
    print(bytes: string) {
      feed.push(bytes, t);
      step();
    },
    event(type: RunnerEventType, detail?: string) {
      x.send({ type, t, detail });
      step();
    },
    /** A power cut: what the board printed last ends there. */
    cut() {
      feed.flush(t);
      x.send({ type: 'POWER_OFF', t });
      step();
    },
  };
}

// ---- PSoC 6: printf("[INF] " fmt "\n\r"); strings that end "\r\n" add a blank line ----

const inf = (text: string, eol = '\n\r') => `[INF] ${text}${eol}`;
const err = (text: string, eol = '\n\r') => `[ERR] ${text}${eol}`;

function psoc6Boot(eol: string, primary: 'empty' | 'torn') {
  return [
    inf('\x1b[2J\x1b[;H', eol),
    inf('MCUboot Bootloader Started', eol),
    inf('External Memory initialization using SFDP mode.', eol),
    inf('boot_swap_type_multi: Primary image: magic=unset, swap_type=0x1, copy_done=0x3, image_ok=0x3', eol),
    inf('boot_swap_type_multi: Secondary image: magic=unset, swap_type=0x1, copy_done=0x3, image_ok=0x3', eol),
    inf('Swap type: none', eol),
    ...(primary === 'torn' ? [err('Image in the primary slot is not valid!', eol)] : []),
    inf('No Upgrade available !', eol),
    inf('No valid image found in primary slot !', eol),
    inf('Press and release user button to initiate Rollback \r\n', eol),
  ];
}

function psoc6RollbackUntilCopy(eol: string) {
  return [
    inf('Detected user button event ', eol),
    inf('Initiating the Rollback...\r\n', eol),
    inf('Valid image magic found', eol),
    inf('Erasing primary slot. Please wait for a while...\r\n', eol),
    inf("Transferring 'factory app' to 'primary slot'", eol),
    inf('Please wait for a while...\r\n', eol),
  ];
}

const RULE = '='.repeat(63);
function psoc6CopyDone(eol: string) {
  return [
    inf('factory app copied to primary slot successfully', eol),
    inf('boot_swap_type_multi: Primary image: magic=bad, swap_type=0x1, copy_done=0x2, image_ok=0x2', eol),
    inf('boot_swap_type_multi: Secondary image: magic=unset, swap_type=0x1, copy_done=0x3, image_ok=0x3', eol),
    inf('Swap type: none', eol),
    inf('factory app validated successfully', eol),
    inf('Starting Factory app on CM4. Please wait...', eol),
    // the CM4 app writes "\r\n"
    `${RULE}\r\n`,
    'factory_app_cm4 version: 1.0.0\r\n',
    `${RULE}\r\n`,
    'Watchdog timer started by the bootloader is now turned off!!!\r\n',
    'Starting LED task..\r\n',
    '****Waiting for user button press event****\r\n',
  ];
}

describe('psoc6-rollback-powerfail on the real PSoC 6 console', () => {
  // v5 prints "\n\r" as written; v2's retarget turns each LF into CRLF: "\r\n\r"
  it.each([
    ['\\n\\r', '\n\r'],
    ['\\r\\n\\r', '\r\n\r'],
  ])('follows a cut mid-copy, the Figure 6 boot and a second rollback, lines ending %s', (_name, eol) => {
    const b = run('psoc6-rollback-powerfail');
    b.event('POWER_ON');
    for (const chunk of psoc6Boot(eol, 'empty')) b.print(chunk);
    b.event('BUTTON_DOWN', 'user');
    b.event('BUTTON_UP', 'user');
    for (const chunk of psoc6RollbackUntilCopy(eol)) b.print(chunk);
    expect(b.x.state()).toBe('copying'); // the copy prints nothing: only the power cut ends it
    b.cut();
    b.event('POWER_ON');
    for (const chunk of psoc6Boot(eol, 'torn')) b.print(chunk);
    b.event('BUTTON_DOWN', 'user');
    b.event('BUTTON_UP', 'user');
    for (const chunk of [...psoc6RollbackUntilCopy(eol), ...psoc6CopyDone(eol)]) b.print(chunk);

    expect(b.x.failure()).toBeUndefined();
    expect(b.states).toEqual([
      'off',
      'booting',
      'bootloader',
      'no-image',
      'released',
      'rolling-back',
      'erasing',
      'copying',
      'off',
      'booting',
      'bootloader',
      'primary-invalid',
      'no-image',
      'released',
      'rolling-back',
      'erasing',
      'copying',
      'copied',
      'starting-factory',
      'factory-starting',
      'factory-running',
    ]);
    // One line per printf: the "\n\r" (or "\r\n\r") ending gives no empty line; a string ending "\r\n" gives one.
    const lines = b.lines();
    expect(lines.slice(0, 11)).toEqual([
      '[INF] \x1b[2J\x1b[;H',
      '[INF] MCUboot Bootloader Started',
      '[INF] External Memory initialization using SFDP mode.',
      '[INF] boot_swap_type_multi: Primary image: magic=unset, swap_type=0x1, copy_done=0x3, image_ok=0x3',
      '[INF] boot_swap_type_multi: Secondary image: magic=unset, swap_type=0x1, copy_done=0x3, image_ok=0x3',
      '[INF] Swap type: none',
      '[INF] No Upgrade available !',
      '[INF] No valid image found in primary slot !',
      '[INF] Press and release user button to initiate Rollback ',
      '',
      '[INF] Detected user button event ',
    ]);
    expect(lines.filter((l) => l === '')).toHaveLength(8); // the four "\r\n" strings, printed twice each
  });

  it('goes straight to no-image after a cut during the erase (no [ERR]: the header is erased)', () => {
    const b = run('psoc6-rollback-powerfail');
    b.event('POWER_ON');
    for (const chunk of psoc6Boot('\n\r', 'empty')) b.print(chunk);
    expect(b.states.at(-1)).toBe('no-image');
    expect(b.states).not.toContain('primary-invalid');
  });

  it('fails a bootloader that accepts the torn slot, naming the state', () => {
    const b = run('psoc6-rollback-powerfail');
    b.event('POWER_ON');
    for (const chunk of psoc6Boot('\n\r', 'empty').slice(0, 6)) b.print(chunk);
    b.print(inf('Application validated successfully !'));
    expect(b.x.failure()?.message).toBe(
      'accepted-invalid-slot: APP_VALID "[INF] Application validated successfully !" in state bootloader (expected PRIMARY_INVALID, NO_IMAGE, POWER_OFF)',
    );
  });
});

// ---- Mbed bootloader v4.0.x: tr_info "[BOOT] " fmt "\r\n", tr_error "[ERR ] "; the progress bar redrawn with "\r" ----

const boot = (text: string) => `[BOOT] ${text}\r\n`;
const error = (text: string) => `[ERR ] ${text}\r\n`;

/** The bar as the bootloader prints it: one segment each time progress*70/total changes; `upTo` < 70: cut short. */
function bar(upTo = 70): string[] {
  const reads: string[] = [];
  for (let n = 0; n <= upTo; n++) reads.push(`\r[BOOT] [${'+'.repeat(n)}${' '.repeat(70 - n)}]${n === 70 ? '\r\n' : ''}`);
  return reads;
}

const SHA_V1 = 'EB8181D57CDBC04916E13D2832973EC714CE7FDA81F07764FEA46F7620E65038';
const SHA_V2 = 'EAEAAA20783C6D3A4E744107B6AF65A5396019CD16916CE31647EB996E4EB290';
const banner = [
  boot('Mbed Bootloader'),
  boot('ARM: 1563FB3B83207213C2BE6C1801C7254546B1DFB4'),
  boot('OEM: 0000000000000000000000000000000000000000'),
  boot('Layout: 1 80023B4'),
];
const candidateCheck = [boot('Slot 0 firmware integrity check:'), ...bar(), boot(`SHA256: ${SHA_V2}`), boot('Version: 1733600000')];
const forwarding = [
  boot("Application's start address: 0x8008400"),
  boot("Application's jump address: 0x800852D"),
  boot("Application's stack address: 0x20030000"),
  boot('Forwarding to application...\r\n'),
];

describe('mbed-update-powerfail on the real Mbed bootloader console', () => {
  function firstBootCutMidCopy(b: ReturnType<typeof run>, flush: boolean) {
    b.event('POWER_ON');
    for (const chunk of [
      ...banner,
      boot('Active firmware integrity check:'),
      ...bar(),
      boot(`SHA256: ${SHA_V1}`),
      boot('Version: 1733500000'),
    ])
      b.print(chunk);
    for (const chunk of [...candidateCheck, boot('Update active firmware using slot 0:'), ...bar(30)]) b.print(chunk);
    expect(b.x.state()).toBe('installing');
    if (flush) b.cut();
    else b.event('POWER_OFF'); // the line under way stays open: the next boot's first text joins it
  }
  /** After a cut mid-copy: the new header is there, its body is not (1c.4: the hash-mismatch form). */
  const tornActive = [
    ...banner,
    boot('Active firmware integrity check:'),
    ...bar(),
    boot(`SHA256: ${SHA_V2}`),
    boot('SHA256: 0D4F6AF2B6C1A0E5B3C2D1E0F9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D3E2F1A0'),
    error('Active firmware integrity check failed'),
  ];

  // Joined, the last redraw before the cut and the next banner are one segment: BANNER (no ^) still matches it.
  it.each([
    ['flushed at the cut', true, 31],
    ['joined to the next boot', false, 30],
  ])('redoes the install after a cut mid-copy (the cut bar %s), each redraw a BAR event', (_name, flush, barsBeforeCut) => {
    const b = run('mbed-update-powerfail');
    firstBootCutMidCopy(b, flush);
    b.event('POWER_ON');
    for (const chunk of [...tornActive, ...candidateCheck, boot('Update active firmware using slot 0:'), ...bar()]) b.print(chunk);
    for (const chunk of [boot('Verify new active firmware:'), ...bar(), boot('New active firmware is valid'), ...forwarding])
      b.print(chunk);

    expect(b.x.failure()).toBeUndefined();
    expect(b.states).toEqual([
      'off',
      'booting',
      'checking',
      'installing',
      'off',
      'booting',
      'checking',
      'installing',
      'verifying',
      'installed',
      'running',
    ]);
    const count = (from: string, event: string) =>
      b.x.coverage().transitions.find((tr) => tr.from === from && tr.event === event)?.count ?? 0;
    expect(count('installing', 'BAR')).toBe(barsBeforeCut + 71); // every redraw classifies: 0-30 before the cut, 0-70 after
    expect(count('verifying', 'BAR')).toBe(71);
    // The log keeps one line per bar: its segments joined by the `\r` between them.
    const bars = b.lines().filter((l) => l.startsWith('[BOOT] [') || l.startsWith('\r[BOOT] ['));
    expect(bars.length).toBeGreaterThanOrEqual(6);
    expect(bars.at(-1)!.split('\r').filter(Boolean)).toHaveLength(71);
  });

  it('finds the new firmware up to date on the boot after', () => {
    const b = run('mbed-update-powerfail');
    b.event('POWER_ON');
    for (const chunk of [
      ...banner,
      boot('Active firmware integrity check:'),
      ...bar(),
      boot(`SHA256: ${SHA_V2}`),
      boot('Version: 1733600000'),
    ])
      b.print(chunk);
    for (const chunk of [
      boot('Slot 0 firmware is of older date'),
      boot('Version: 1733600000'),
      boot('Active firmware up-to-date'),
      ...forwarding,
    ])
      b.print(chunk);
    expect(b.x.failure()).toBeUndefined();
    expect(b.states).toEqual(['off', 'booting', 'checking', 'up-to-date', 'running']);
  });

  it('fails a bootloader left without an application after the cut, naming the state', () => {
    const b = run('mbed-update-powerfail');
    firstBootCutMidCopy(b, true);
    b.event('POWER_ON');
    for (const chunk of [...tornActive, boot('Slot 0 firmware is of older date'), boot('Version: 1733600000')]) b.print(chunk);
    b.print(error('Active firmware invalid'));
    b.print(error('Failed to jump to application!')); // then WFI for good: nothing more
    expect(b.x.failure()?.message).toBe(
      'no-application: NO_APP "[ERR ] Active firmware invalid" in state checking (expected INSTALL, UP_TO_DATE, POWER_OFF)',
    );
  });
});
