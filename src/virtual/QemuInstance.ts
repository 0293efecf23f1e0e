import { stat } from 'node:fs/promises';
import type { Socket } from 'node:net';
import type { Listening } from './listenOn.js';
import type { QemuPaths } from './qemuCommand.js';
import type { QemuProcess } from './QemuProcess.js';
import type { Qmp } from './Qmp.js';
import type { Qtest } from './Qtest.js';

/** One QEMU process of a board and what the board knows and has asked of it. */
export interface QemuInstance {
  process: QemuProcess;
  runtimeDir: string;
  paths: QemuPaths;
  servers: Listening[];
  qmp?: Qmp;
  /** powerCycle reset: clears RAM after a power-off. */
  qtest?: Qtest;
  startedAt: number;
  serials: Map<number, string>;
  links: string[];
  gdbPort?: number;
  /** Set when hil killed it (a power cut), as opposed to QEMU dying by itself. */
  cut?: { t: number };
  /** Killed by hil because its power-on failed. */
  failed?: boolean;
  /** A debugger worked on it while it was the spare: its CPU state is reset before the guest runs. */
  touched?: boolean;
  /** The flash files it mapped (device:inode): a spare is used only if they are still the rig's files. */
  files?: string;
  /** Listeners were told it is powering: they must hear when it goes away. */
  announced?: boolean;
  /** `cont` was sent: from then on the guest may run, and may bring QEMU down by itself (a lockup). */
  released?: boolean;
  /** The guest has run since this QEMU started: its RAM is not as a power-on leaves it. */
  ran?: boolean;
  /** A debugger runs the CPU (see DebugTarget.debuggerRuns). */
  debuggerRuns?: boolean;
  /** powerCycle reset: the QMP stop of a power-off, under way or done. */
  stopping?: Promise<void>;
  /** powerCycle reset: RAM being cleared while the board is off; a power-on or a probe waits for it. */
  clearing?: Promise<void>;
  /** The next power-on's connection to the GPIO UART, made ahead; nothing is sent on it before then. */
  gpioLink?: Promise<Socket>;
  /** Settles when the process is gone and everything it used is released. */
  down: Promise<void>;
}

/** powerCycle reset: what QEMU wrote to UART `index` in this power-on, from the size of its log of it. */
export async function uartBytes(instance: QemuInstance, index: number): Promise<number | undefined> {
  const log = instance.paths.serialLog?.(index);
  return log === undefined
    ? undefined
    : stat(log).then(
        (s) => s.size,
        () => 0,
      );
}

/** The flash files QEMU maps, as device:inode: a file replaced under a running QEMU shows as a change. */
export async function fileIdentity(paths: QemuPaths): Promise<string> {
  const ids = await Promise.all(
    [...paths.nv, ...paths.drives].map((p) =>
      stat(p).then(
        (s) => `${s.dev}:${s.ino}`,
        () => 'missing',
      ),
    ),
  );
  return ids.join(',');
}

/** How long a dead QEMU's QMP connection may take to deliver its last events. */
export const QMP_DRAIN_MS = 200;

export async function exitsWithin(qemu: QemuProcess, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const exited = await Promise.race([qemu.exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
  clearTimeout(timer);
  return exited;
}

export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
