import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil, ROOT } from '../helpers/hilCli.js';

/**
 * The scenario written for each real seed board runs, unchanged, on that board's virtual twin (a build of the
 * virtual bootloader that speaks the board's console, with its layout: rigs/virtual/firmware/README.md, "Seed-board
 * twins"), passes there, and fails on the twin's faulty flavour with a message naming the model state.
 * One cut point each: the sweep over the scenario's points is the scenario's own business.
 */
const FIRMWARE = join(ROOT, 'rigs/virtual/firmware/build');
let reports: string;

beforeAll(() => {
  reports = mkdtempSync(join(tmpdir(), 'hil-twins-'));
});

afterAll(() => {
  rmSync(reports, { recursive: true, force: true });
});

async function runOnTwin(scenario: string, rig: string, extra: string[]) {
  const reportDir = join(reports, `${rig}-${extra.length}`);
  const result = await hil(['run', scenario, '--rig', rig, '--report-dir', reportDir, ...extra], { timeoutMs: 120_000 });
  return { ...result, junit: readFileSync(join(reportDir, 'junit.xml'), 'utf8') };
}

describe('the PSoC 6 rollback scenario on the PSoC 6 twin', () => {
  it('passes: the copy cut at 200 ms is refused on the next boot (Figure 6) and a second rollback restores the factory app', async () => {
    const r = await runOnTwin('psoc6-rollback-powerfail', 'virtual-psoc6', ['--param', 'cut_after=200ms']);
    expect(r.stdout).toMatch(/^1 passed, 0 failed, 0 errors$/m);
    expect(r.stdout).toMatch(/^ {2}primary-invalid +0 +1$/m);
    expect(r.code).toBe(0);
  });

  it('fails the flavour that does not validate the primary slot, naming the state', async () => {
    const faulty = `bootloader=${join(FIRMWARE, 'bootloader-psoc6-no-validate.bin')}`;
    const r = await runOnTwin('psoc6-rollback-powerfail', 'virtual-psoc6', ['--param', 'cut_after=200ms', '--image', faulty]);
    expect(r.stdout).toContain(
      'accepted-invalid-slot: APP_VALID "[INF] Application validated successfully !" in state bootloader (expected PRIMARY_INVALID, NO_IMAGE, POWER_OFF)',
    );
    expect(r.junit).toMatch(/<failure message="accepted-invalid-slot: [^"]* in state bootloader /);
    expect(r.code).toBe(1);
  });
});

describe('the Mbed update scenario on the Mbed twin', () => {
  it('passes: the install cut at 300 ms is redone on the next boot, and the boot after finds it up to date', async () => {
    const r = await runOnTwin('mbed-update-powerfail', 'virtual-mbed', ['--param', 'cut_after=300ms']);
    expect(r.stdout).toMatch(/^1 passed, 0 failed, 0 errors$/m);
    expect(r.stdout).toMatch(/^ {2}installing \* +1 +1$/m);
    expect(r.code).toBe(0);
  });

  it('fails the flavour that trusts the header of a half-installed application, naming the state', async () => {
    const faulty = `combined=${join(FIRMWARE, 'mbed-combined-trust-header-version.hex')}`;
    const r = await runOnTwin('mbed-update-powerfail', 'virtual-mbed', ['--param', 'cut_after=300ms', '--image', faulty]);
    expect(r.stdout).toContain(
      'no-application: NO_APP "[ERR ] Active firmware invalid" in state checking (expected INSTALL, UP_TO_DATE, POWER_OFF)',
    );
    expect(r.junit).toMatch(/<failure message="no-application: [^"]* in state checking /);
    expect(r.code).toBe(1);
  });
});
