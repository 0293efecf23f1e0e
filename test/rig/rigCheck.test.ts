import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkRig } from '../../src/rig/rigCheck.js';
import { makeVirtualRig, qemuResources, type VirtualRig } from '../helpers/virtualRig.js';

describe('hil rig check on a virtual rig', () => {
  let rig: VirtualRig;
  beforeAll(async () => {
    rig = await makeVirtualRig();
  });
  afterAll(async () => {
    await rig?.remove();
  });

  const target = (resources: Record<string, unknown>, probeGdb = 'gdb-multiarch') => ({
    name: 'virtual-test',
    dir: rig.dir,
    console: { kind: 'qemu', options: { kind: 'qemu', serial: 0 } },
    power: { kind: 'qemu', options: { kind: 'qemu' } },
    probe: { kind: 'qemu', options: { kind: 'qemu', gdb: probeGdb, timeout: 30_000 } },
    outputs: { user: { kind: 'qemu', options: { kind: 'qemu', line: 0, active: 'high' } } },
    resources,
  });

  it('passes every part, starting QEMU paused without running the guest, and leaves nothing running', async () => {
    const results = await checkRig(target(qemuResources(rig)));
    expect(results.map((r) => [r.part, r.ok])).toEqual([
      ['console', true],
      ['probe', true],
      ['power', true],
      ['outputs.user', true],
    ]);
    expect(results.map((r) => r.message)).toEqual([
      `UART0 on a new pty per power-on, linked as ${rig.stateDir}/serial0`,
      'gdb-multiarch reaches the QEMU mps2-an385 gdbstub',
      `QEMU mps2-an385 starts (kernel and flash accepted; flash kept in ${rig.stateDir})`,
      'GPIO line 0 on UART1',
    ]);
    expect(rig.leftovers()).toEqual([]);
  });

  it("fails the parts that cannot work, in the tools' own words", async () => {
    const noGdb = await checkRig(target(qemuResources(rig), 'no-such-gdb'));
    expect(noGdb.filter((r) => !r.ok).map((r) => [r.part, r.message])).toEqual([
      ['probe', 'no-such-gdb: not found on PATH (install gdb-multiarch)'],
    ]);
    const noKernel = await checkRig(target(qemuResources(rig, { kernel: 'missing.elf' })));
    const power = noKernel.find((r) => r.part === 'power')!;
    expect(power.ok).toBe(false);
    expect(power.message).toMatch(/^QEMU \(mps2-an385\) failed to start: Could not load kernel '.*missing\.elf'$/);
    expect(power.detail).toMatch(/qemu-system-arm: Could not load kernel/);
    expect(rig.leftovers()).toEqual([]);
  });
});
