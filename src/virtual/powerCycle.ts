/** What a power cycle does to a board's QEMU: the reset of a power-on and the SIGKILL cut of a power-off. */
import { truncate } from 'node:fs/promises';
import type { Timeline } from '../core/Timeline.js';
import { round, type QemuInstance } from './QemuInstance.js';

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

/** The SIGKILL cut (powerCycle restart, or a QEMU that would not stop), timed, unless it was cut already; then waits for the process to be gone. */
export async function killCut(instance: QemuInstance, timeline: Timeline, part: string, why?: string): Promise<void> {
  if (!instance.cut) {
    const ask = timeline.now();
    instance.process.kill();
    const done = timeline.now();
    instance.cut = { t: done };
    timeline.record('qemu', {
      phase: 'kill',
      part,
      pid: instance.process.pid,
      ask,
      done,
      latencyMs: round(done - ask),
      ...(why ? { why } : {}),
    });
  }
  await instance.down;
}
