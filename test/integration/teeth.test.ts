import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil, ROOT } from '../helpers/hilCli.js';
import { processesMentioning } from '../helpers/processes.js';

/**
 * The shipped scenarios have teeth: on the virtual rig each passes with the good bootloader and fails, naming
 * the model state, on each faulty bootloader build it is meant to catch (rigs/virtual/firmware/README.md).
 */
const FIRMWARE = join(ROOT, 'rigs/virtual/firmware/build');
let reports: string;

beforeAll(() => {
  reports = mkdtempSync(join(tmpdir(), 'hil-teeth-'));
});

afterAll(() => {
  expect(processesMentioning(`${ROOT}.hil/`)).toEqual([]);
  rmSync(reports, { recursive: true, force: true });
});

async function runScenario(scenario: string, extra: string[], dir: string) {
  const reportDir = join(reports, dir);
  const result = await hil(['run', scenario, '--report-dir', reportDir, ...extra], { timeoutMs: 180_000 });
  return { ...result, junit: readFileSync(join(reportDir, 'junit.xml'), 'utf8') };
}

/** The rig's images replaced by ones that fill their slot, so every byte of a slot is copied, erased and hashed. */
const FULL_SIZE = ['factory', 'factory-primary', 'upgrade', 'upgrade-staged'].flatMap((name) => [
  '--image',
  `${name}=${join(FIRMWARE, `${name.split('-')[0]}-full.img`)}`,
]);

const SCENARIOS = [
  'rollback-powerfail',
  'rollback-button',
  'ota-upgrade',
  'upgrade-powerfail',
  'factory-missing',
  'upgrade-then-resets',
  'rollback-then-resets',
  'button-released-early',
  'button-held-at-power-on',
  'no-image-button',
  'upgrade-not-pending',
];
/** With slot-filling images a copy takes ~5 s: the scenarios with at most two copies per case. */
const FULL_SIZE_SCENARIOS = [
  'rollback-button',
  'ota-upgrade',
  'upgrade-then-resets',
  'rollback-then-resets',
  'button-held-at-power-on',
  'no-image-button',
  'upgrade-not-pending',
];
const GOOD: Array<[string, 'small' | 'full']> = [
  ...SCENARIOS.map((s): [string, 'small'] => [s, 'small']),
  ...FULL_SIZE_SCENARIOS.map((s): [string, 'full'] => [s, 'full']),
];

describe('the good firmware passes every shipped scenario', () => {
  it.each(GOOD)('%s with %s images', async (scenario, size) => {
    const r = await runScenario(scenario, size === 'full' ? FULL_SIZE : [], `good-${scenario}-${size}`);
    expect(r.stdout).toMatch(/^\d+ passed, 0 failed, 0 errors$/m);
    expect(r.code).toBe(0);
    expect(r.junit).not.toMatch(/<failure|<error/);
  });
});

const CAUGHT: Array<[string, string]> = [
  ['rollback-powerfail', 'no-validate'],
  ['rollback-powerfail', 'erase-factory'],
  ['rollback-powerfail', 'header-first'],
  ['upgrade-powerfail', 'early-complete'],
  ['upgrade-powerfail', 'header-first'],
  ['rollback-button', 'erase-factory'],
  ['rollback-button', 'erase-wrong-slot'],
  ['upgrade-then-resets', 'erase-wrong-slot'],
  ['upgrade-then-resets', 'copy-from-staging'],
  ['factory-missing', 'erase-before-check'],
  ['factory-missing', 'no-rollback-guard'],
  ['rollback-button', 'rollback-version-guard'],
  ['rollback-then-resets', 'rollback-version-guard'],
  ['ota-upgrade', 'trailer-copied'],
  ['upgrade-then-resets', 'trailer-copied'],
  ['ota-upgrade', 'stale-pending'],
  ['upgrade-then-resets', 'stale-pending'],
  ['no-image-button', 'auto-rollback'],
];
/** Caught with slot-filling images too: the flag or trailer left at a slot's very end is the same. */
const CAUGHT_FULL_SIZE: Array<[string, string]> = [
  ['upgrade-then-resets', 'trailer-copied'],
  ['upgrade-then-resets', 'stale-pending'],
];

describe('each faulty bootloader fails the scenarios meant to catch it', () => {
  it('lists every variant the firmware Makefile builds', () => {
    const makefile = readFileSync(join(ROOT, 'rigs/virtual/firmware/Makefile'), 'utf8');
    const variants = /^VARIANTS := ((?:.*\\\n)*.*)$/m.exec(makefile)![1]!.replace(/\\\n/g, ' ').split(/\s+/).filter(Boolean);
    expect(variants.length).toBeGreaterThanOrEqual(12);
    expect([...new Set(CAUGHT.map(([, variant]) => variant))].sort()).toEqual(variants.sort());
  });

  it.each([...CAUGHT.map(([s, v]) => [s, v, 'small']), ...CAUGHT_FULL_SIZE.map(([s, v]) => [s, v, 'full'])])(
    '%s catches bootloader-%s with %s images',
    async (scenario, variant, size) => {
      // One cut point is enough to show the fault; the sweep over many points is the scenario's own business.
      const cut = scenario.endsWith('-powerfail') ? ['--param', 'cut_after=60ms'] : [];
      const image = ['--image', `bootloader=${join(FIRMWARE, `bootloader-${variant}.bin`)}`, ...(size === 'full' ? FULL_SIZE : [])];
      const r = await runScenario(scenario, [...cut, ...image], `${variant}-${scenario}-${size}`);
      expect(r.stdout).toMatch(/^0 passed, 1 failed, 0 errors$/m);
      expect(r.code).toBe(1);
      expect(r.junit).toMatch(/<failure message="[^"]*in state [a-z-.]+/);
      expect(r.junit).not.toMatch(/<error/);
    },
  );
});

describe('a tampered or older pending image is refused (upgrade-tampered: one case per tampering)', () => {
  it.each(['small', 'full'])('the good bootloader refuses every one, with %s images, each case in under 10 s', async (size) => {
    const r = await runScenario('upgrade-tampered', size === 'full' ? FULL_SIZE : [], `tampered-${size}`);
    expect(r.stdout).toMatch(/^13 passed, 0 failed, 0 errors$/m);
    expect(r.code).toBe(0);
    for (const kind of [
      'body-byte',
      'bad-magic',
      'tlv-overrun',
      'size-past-slot',
      'size-in-trailer',
      'protected-tlv',
      'older',
      'same-version',
    ])
      expect(r.junit).toContain(`upgrade-tampered[tamper=${kind}]`);
    const durations = [...r.junit.matchAll(/<testcase [^>]*time="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(durations).toHaveLength(13);
    expect(Math.max(...durations)).toBeLessThan(10);
  });

  it('a bootloader that trusts a well-formed header (header-first) upgrades to a corrupt image', async () => {
    const image = ['--image', `bootloader=${join(FIRMWARE, 'bootloader-header-first.bin')}`];
    const r = await runScenario('upgrade-tampered', ['--param', 'tamper=body-byte,bad-magic', ...image], 'tampered-header-first');
    expect(r.stdout).toMatch(/^1 passed, 1 failed, 0 errors$/m);
    expect(r.junit).toMatch(/<failure message="forbidden line matched \/Starting upgrade\/[^"]*in state bootloader/);
  });
});

describe('a valid, newer image with no upgrade asked for stays where it is (upgrade-not-pending)', () => {
  it('catches a bootloader that applies it anyway (mutants/pending-ignored.patch, built by hil teeth)', async () => {
    const file = join(reports, 'pending-ignored.yaml');
    writeFileSync(
      file,
      `build: { dir: ${ROOT}rigs/virtual/firmware, command: make -s BUILD=out out/bootloader.bin, output: out/bootloader.bin, image: bootloader }\n` +
        'scenarios: [upgrade-not-pending]\n' +
        `mutants: [{ name: fixture-pending-ignored, patch: ${ROOT}mutants/pending-ignored.patch }]\n`,
    );
    const r = await hil(['teeth', file, '--report-dir', join(reports, 'pending-ignored')], { timeoutMs: 300_000 });
    expect(r.stderr).toMatch(/^good build: upgrade-not-pending 1 of 1 cases passed$/m);
    expect(r.stdout).toMatch(/^fixture-pending-ignored +caught +upgrade-not-pending$/m);
    expect(r.stdout).toMatch(/^caught 1 of 1 variants$/m);
    expect(r.code).toBe(0);
    const junit = readFileSync(join(reports, 'pending-ignored', 'fixture-pending-ignored', 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<failure message="forbidden line matched \/Starting upgrade\/[^"]*in state left-alone/);
  }, 300_000);
});
