import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil } from '../helpers/hilCli.js';

describe('hil rig check', () => {
  it.each(['psoc6-cy8cproto-062-4343w', 'nucleo-f429zi', 'frdm-k64f', 'stm32mp157c-dk2'])(
    "exits 3 on %s here, naming the missing console and probe in the tools' own words",
    async (rig) => {
      const r = await hil(['rig', 'check', rig], { timeoutMs: 120_000 });
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/FAIL console +serial +console path \/dev\/serial\/by-id\/\S+ does not exist/);
      expect(r.stdout).toMatch(/FAIL probe /);
      expect(r.stderr).toMatch(new RegExp(`rig ${rig}: console, probe.* failed the check`));
    },
  );

  it('passes on the virtual rig', async () => {
    const r = await hil(['rig', 'check', 'virtual'], { timeoutMs: 60_000 });
    expect(r.stdout).toMatch(/rig virtual: all 4 parts ok/);
    expect(r.code).toBe(0);
  });

  it('hil run on a rig with no hardware is a rig error (exit 3), not a failure', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'hil-norig-'));
    const r = await hil(['run', 'stm32mp1-factory-flash', '--report-dir', reports], { timeoutMs: 60_000 });
    rmSync(reports, { recursive: true, force: true });
    expect(r.stdout).toMatch(/^0 passed, 0 failed, 1 errors$/m);
    expect(r.code).toBe(3);
  });
});
