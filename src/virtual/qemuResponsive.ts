import { readFile } from 'node:fs/promises';
import { RigError } from '../core/errors.js';
import type { QemuInstance } from './QemuInstance.js';

/** How long a QEMU that is running well takes at most to answer `query-status`, even on a loaded host. */
const ANSWER_MS = 2_000;

/** The process state letter of /proc/<pid>/stat (R, S, D, T, t, Z ...), or undefined where there is none. */
async function processState(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // The command name, in parentheses, may itself hold spaces and parentheses: the state follows the last ')'.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ', 1)[0];
}

/**
 * Throws a RigError when this QEMU could not have been running its guest: its process is stopped (SIGSTOP, a
 * job-control stop, a tracer), does not answer QMP, or, powered, holds its CPU halted (a debugger that hung with
 * the CPU at a breakpoint). Without this a frozen emulator reads as a silent firmware,
 * and the case fails on a model timeout.
 */
export async function checkResponsive(instance: QemuInstance, part: string, powered: boolean, answerMs = ANSWER_MS): Promise<void> {
  const { pid } = instance.process;
  const state = await processState(pid);
  if (state === 'T' || state === 't') {
    throw new RigError(part, `QEMU (pid ${pid}) is stopped (process state ${state}: SIGSTOP or a tracer), so the board could not run`);
  }
  if (!instance.qmp) return;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), answerMs)));
  try {
    const answer = await Promise.race([
      instance.qmp.execute<{ status?: string }>('query-status').then(
        (s) => s.status ?? 'running',
        () => 'running', // a QEMU that died is reported by its death, not here
      ),
      late,
    ]);
    if (answer === 'late') {
      throw new RigError(part, `QEMU (pid ${pid}) did not answer QMP within ${answerMs} ms: it is hung, so the board could not run`);
    }
    // Powered, yet its CPU held: by the gdbstub (a debugger that stopped answering mid-operation) or paused.
    if (powered && (answer === 'debug' || answer === 'paused')) {
      throw new RigError(
        part,
        `QEMU's CPU is ${answer === 'debug' ? 'halted by its debugger (gdb)' : 'paused'} while the board is powered, so the board could not run`,
      );
    }
  } finally {
    clearTimeout(timer);
  }
}
