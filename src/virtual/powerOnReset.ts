import { truncate } from 'node:fs/promises';
import type { QemuInstance } from './QemuInstance.js';

/** A QEMU that ran before, or that a debugger worked on, starts this power-on as a new QEMU would. */
export async function resetForPowerOn(instance: QemuInstance): Promise<void> {
  if (instance.touched || instance.ran) {
    // A debugger may have moved the CPU (an ELF `load` sets the PC), or the guest ran: power-on starts from
    // the reset vector, every device as after reset. The boot ROM (`-kernel`) is copied in again.
    const reset = instance.qmp!.nextEvent('RESET');
    await instance.qmp!.execute('system_reset');
    await reset;
  }
  if (instance.ran) {
    // The UART byte counts start again with each power-on, so QEMU's logs never outgrow one power cycle.
    for (const index of instance.serials.keys()) {
      const log = instance.paths.serialLog?.(index);
      if (log) await truncate(log, 0);
    }
  }
}
