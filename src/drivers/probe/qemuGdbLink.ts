import type { GdbMi } from '../../gdb/GdbMi.js';
import type { DebugTarget } from '../../virtual/DebugTarget.js';

/** Bound on the commands that only talk to gdb and QEMU (connect, detach, delete a breakpoint). */
export const QUICK_MS = 10_000;

/** gdb keeps a link to a board that lost power until told: drop it first, then connect to this QEMU. */
export async function connect(mi: GdbMi, target: DebugTarget, signal: AbortSignal | undefined): Promise<void> {
  if (mi.attached) await mi.command('-target-disconnect', { timeoutMs: QUICK_MS }).catch(() => undefined);
  await mi.command(`-target-select remote ${target.gdb}`, { timeoutMs: QUICK_MS, signal });
}

/**
 * Deletes every breakpoint, then lets go (`leave`): left in gdb's list, a breakpoint would be inserted again by
 * the next operation that resumes the board.
 */
export async function dropBreakpoints(mi: GdbMi): Promise<void> {
  if (mi.alive) await mi.command('-break-delete', { timeoutMs: QUICK_MS }).catch(() => mi.kill());
  await leave(mi);
}

/**
 * Lets go of the board without resuming it (the board resumes a powered CPU itself). A gdb that cannot leave
 * cleanly is killed (the link goes with it).
 */
export async function leave(mi: GdbMi): Promise<void> {
  if (!mi.alive) return;
  await mi.command('-target-disconnect', { timeoutMs: QUICK_MS }).catch(() => mi.kill());
}

/** The halted CPU's PC; undefined if gdb cannot say. */
export async function programCounter(mi: GdbMi): Promise<number | undefined> {
  const { results } = await mi
    .command('-data-evaluate-expression "(unsigned int)$pc"', { timeoutMs: QUICK_MS })
    .catch(() => ({ results: '' }));
  const value = /value="(\d+)"/.exec(results)?.[1];
  return value === undefined ? undefined : Number(value);
}

export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
