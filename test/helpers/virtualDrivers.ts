import type { ConsoleLine } from '../../src/protocols/Console.js';
import { qemuConsoleDriver, type QemuConsole } from '../../src/drivers/console/qemu.js';
import { qemuOutputDriver, type QemuOutput } from '../../src/drivers/output/qemu.js';
import { qemuPowerDriver, type QemuPower } from '../../src/drivers/power/qemu.js';
import { qemuBoardFor } from '../../src/virtual/qemuBoardFor.js';
import { qemuProbeDriver, type QemuProbe } from '../../src/drivers/probe/qemu.js';
import { NV_BASE } from './testFirmware.js';
import { makeVirtualRig, type VirtualRig } from './virtualRig.js';

/** The four qemu drivers of one session, built through their schemas as the rig loader would. */
export function virtualDrivers(rig: VirtualRig, resources?: Record<string, unknown>) {
  const context = rig.session(resources);
  const power = qemuPowerDriver.create(qemuPowerDriver.schema.parse({ kind: 'qemu' }), context('power')) as QemuPower;
  const console = qemuConsoleDriver.create(qemuConsoleDriver.schema.parse({ kind: 'qemu' }), context('console')) as QemuConsole;
  const button = qemuOutputDriver.create(qemuOutputDriver.schema.parse({ kind: 'qemu', line: 0 }), context('outputs.button')) as QemuOutput;
  const probe = qemuProbeDriver.create(qemuProbeDriver.schema.parse({ kind: 'qemu', timeout: '30s' }), context('probe')) as QemuProbe;
  const lines: ConsoleLine[] = [];
  console.subscribe({ line: (l) => lines.push(l) });
  const close = async () => {
    await console.close();
    await probe.close();
    await power.close();
    // The board is the session's: its paused next QEMU and its gdb go with it.
    await qemuBoardFor(context('power')).close();
  };
  return { power, console, button, probe, lines, close, context };
}

/** A throwaway virtual rig whose flash already holds the test app at the NV base. */
export async function flashedVirtualRig(): Promise<VirtualRig> {
  const rig = await makeVirtualRig();
  const drivers = virtualDrivers(rig);
  await drivers.probe.flash([{ name: 'app', path: rig.firmware.appBin, address: NV_BASE }]);
  await drivers.close();
  return rig;
}
