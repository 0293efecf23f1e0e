import type { ToolNeed } from '../core/systemTools.js';
import { qemuBoardSchema } from '../virtual/QemuBoardOptions.js';
import { QEMU_RESOURCE } from '../virtual/qemuBoardFor.js';
import { partDrivers } from './partDrivers.js';
import type { DriverSpec, RigSpec } from './RigSpec.js';

/** One program a rig needs, and the part of the rig that runs it (`probe`, `outputs.user`, `resources.qemu`). */
export interface RigToolNeed extends ToolNeed {
  part: string;
}

/** A device node a part opens itself (a USB-serial console, a Numato relay board, a Black Magic Probe). */
export interface RigDevice {
  part: string;
  path: string;
}

/** Every part of a rig with the driver registry that made it. */
function parts(rig: RigSpec): Array<{ part: string; spec: DriverSpec; role: keyof typeof partDrivers }> {
  return [
    { part: 'console', spec: rig.console, role: 'console' as const },
    { part: 'power', spec: rig.power, role: 'power' as const },
    ...(rig.probe ? [{ part: 'probe', spec: rig.probe, role: 'probe' as const }] : []),
    ...Object.entries(rig.outputs).map(([name, spec]) => ({ part: `outputs.${name}`, spec, role: 'output' as const })),
  ];
}

/** The programs a loaded rig runs, as its drivers declare them, plus the emulator of a virtual board. */
export function rigToolNeeds(rig: RigSpec): RigToolNeed[] {
  const needs: RigToolNeed[] = [];
  for (const { part, spec, role } of parts(rig)) {
    const def = (partDrivers[role] as { get(kind: string): { tools?(options: unknown): ToolNeed[] } | undefined }).get(spec.kind);
    for (const need of def?.tools?.(spec.options) ?? []) needs.push({ ...need, part });
  }
  if (rig.resources[QEMU_RESOURCE] !== undefined) {
    const board = qemuBoardSchema.safeParse(rig.resources[QEMU_RESOURCE]);
    needs.push({ tool: 'qemu', part: `resources.${QEMU_RESOURCE}`, ...(board.success ? { command: board.data.qemu } : {}) });
  }
  return needs;
}

/** Device nodes the rig's parts name (`path: /dev/ttyACM0`, a gdb `remote: /dev/ttyACM0`). */
export function rigDevices(rig: RigSpec): RigDevice[] {
  const devices: RigDevice[] = [];
  for (const { part, spec } of parts(rig)) {
    for (const value of Object.values(spec.options)) {
      if (typeof value === 'string' && value.startsWith('/dev/')) devices.push({ part, path: value });
    }
  }
  return devices;
}
