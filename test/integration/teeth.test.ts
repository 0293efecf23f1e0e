import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

const GOOD: Array<[string, 'small' | 'full']> = [
  ...['rollback-powerfail', 'rollback-button', 'ota-upgrade', 'upgrade-powerfail', 'factory-missing'].map((s): [string, 'small'] => [s, 'small']),
  ...['rollback-button', 'ota-upgrade'].map((s): [string, 'full'] => [s, 'full']),
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
];

describe('each faulty bootloader fails the scenarios meant to catch it', () => {
  it.each(CAUGHT)('%s catches bootloader-%s', async (scenario, variant) => {
    // One cut point is enough to show the fault; the sweep over many points is the scenario's own business.
    const cut = scenario.endsWith('-powerfail') ? ['--param', 'cut_after=60ms'] : [];
    const image = ['--image', `bootloader=${join(FIRMWARE, `bootloader-${variant}.bin`)}`];
    const r = await runScenario(scenario, [...cut, ...image], `${variant}-${scenario}`);
    expect(r.stdout).toMatch(/^0 passed, 1 failed, 0 errors$/m);
    expect(r.code).toBe(1);
    expect(r.junit).toMatch(/<failure message="[^"]*in state [a-z-.]+/);
    expect(r.junit).not.toMatch(/<error/);
  });
});
