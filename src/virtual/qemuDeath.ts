import { formatDuration } from '../core/duration.js';
import { RigError } from '../core/errors.js';
import { exitsWithin, QMP_DRAIN_MS, type QemuInstance } from './QemuInstance.js';
import type { QemuBoardEnv } from './QemuBoardEnv.js';
import type { QemuExit } from './QemuProcess.js';
import { qemuSaid } from './qemuSaid.js';

/** Signals a program dies of when it is broken (SIGABRT also when the guest locks up); hil itself only ever SIGKILLs QEMU. */
const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGBUS', 'SIGABRT', 'SIGILL', 'SIGFPE']);

interface QemuDeath {
  reason: string;
  /** Neither hil's cut nor the guest's doing: the rig's fault. */
  rigFault: boolean;
  stderr: string;
}

/** Why a QEMU that hil did not cut went away, and whose fault that is. */
function qemuDeath(instance: QemuInstance, exit: QemuExit, lifetime: number): QemuDeath {
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

/** A debugger's failure because its QEMU died under it (not by a power cut) names that death, the real cause. */
export async function diedUnder(instance: QemuInstance, err: unknown, part: string): Promise<unknown> {
  if (instance.process.killed || !(await exitsWithin(instance.process, QMP_DRAIN_MS))) return err;
  const { signal, code } = await instance.process.exited;
  const said = (err as Error)?.message ?? String(err);
  return new RigError(part, `QEMU died (${signal ?? `exit ${code}`}) while the probe worked on it: ${said}`, {
    detail: instance.process.stderr().trim() || undefined,
    cause: err,
  });
}

/**
 * What listeners are told of a QEMU that went away: a cut or a failed power-on as such; any other death is
 * recorded on the timeline and logged with its reason, and its time is now.
 */
export function goneReason(
  instance: QemuInstance,
  exit: QemuExit,
  lifetime: number,
  env: QemuBoardEnv,
  part: string,
): { t: number; reason: string; rigFault: boolean } {
  if (instance.cut || instance.failed)
    return { t: instance.cut?.t ?? env.timeline.now(), reason: instance.failed ? 'power-on failed' : 'power off', rigFault: false };
  const { stderr, rigFault, reason } = qemuDeath(instance, exit, lifetime);
  env.timeline.record('qemu', {
    phase: 'died',
    part,
    pid: instance.process.pid,
    exitCode: exit.code,
    signal: exit.signal,
    stderr,
    rigFault,
  });
  env.log(`${env.rigName}: ${reason}`);
  return { t: env.timeline.now(), reason, rigFault };
}
