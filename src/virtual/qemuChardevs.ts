import { chardevId } from './qemuCommand.js';
import type { QemuInstance } from './QemuInstance.js';

/** An entry of QMP's `query-chardev`. */
export interface QemuChardev {
  label: string;
  filename: string;
}

/** The ptys of the first `serials` UARTs and the gdbstub's port, from `query-chardev`. */
export function readChardevs(instance: QemuInstance, chardevs: QemuChardev[], serials: number): void {
  for (let i = 0; i < serials; i++) {
    const pty = chardevs.find((c) => c.label === chardevId.serial(i))?.filename;
    if (pty?.startsWith('pty:')) instance.serials.set(i, pty.slice('pty:'.length));
  }
  const gdb = chardevs.find((c) => c.label === chardevId.gdb)?.filename;
  const port = gdb ? /:(\d+)(?:,|$)/.exec(gdb)?.[1] : undefined;
  if (port) instance.gdbPort = Number(port);
}
