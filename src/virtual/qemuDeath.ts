import { formatDuration } from '../core/duration.js';
import type { QemuInstance } from './QemuInstance.js';
import type { QemuExit } from './QemuProcess.js';
import { qemuSaid } from './qemuSaid.js';

/** Signals a program dies of when it is broken (SIGABRT also when the guest locks up); hil itself only ever SIGKILLs QEMU. */
const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGBUS', 'SIGABRT', 'SIGILL', 'SIGFPE']);

export interface QemuDeath {
  reason: string;
  /** Neither hil's cut nor the guest's doing: the rig's fault. */
  rigFault: boolean;
  stderr: string;
}

/** Why a QEMU that hil did not cut went away, and whose fault that is. */
export function qemuDeath(instance: QemuInstance, exit: QemuExit, lifetime: number): QemuDeath {
  const stderr = instance.process.stderr();
  const said = qemuSaid(stderr);
  // The board's own doing: QEMU aborts on purpose when the guest CPU locks up ("qemu: fatal: Lockup..."),
  // and exits when the guest asks it to (semihosting exit, a reset with -no-reboot).
  const guestFatal = exit.signal === 'SIGABRT' && /qemu: fatal:/.test(stderr);
  const guestShutdown = instance.qmp?.guestShutdown;
  const rigFault = !guestFatal && guestShutdown === undefined;
  const crashed = exit.signal !== null && CRASH_SIGNALS.has(exit.signal) && !guestFatal;
  const how = exit.signal ?? `exit ${exit.code}`;
  const reason = instance.process.outlived
    ? `QEMU killed at its lifetime bound (${formatDuration(lifetime)})`
    : guestShutdown !== undefined
      ? `QEMU shut down at the guest's request (${guestShutdown}, ${how})`
      : `QEMU ${crashed ? 'crashed' : rigFault ? 'died, not by a power cut' : 'exited by itself'} (${how})${said ? `: ${said}` : ''}`;
  return { reason, rigFault, stderr };
}
