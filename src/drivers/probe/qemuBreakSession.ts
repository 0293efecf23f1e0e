import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { formatDuration } from '../../core/duration.js';
import { RigError } from '../../core/errors.js';
import { hex } from '../../core/size.js';
import type { GdbMi, MiStop } from '../../gdb/GdbMi.js';
import type { CodeBreakpoint, Halt } from '../../protocols/Probe.js';
import type { DebugTarget } from '../../virtual/DebugTarget.js';
import type { FlashOps } from '../../virtual/QemuBoardOptions.js';
import { applyFault } from '../support/gdbFault.js';
import { CALL_REGISTERS, dropHitTrace, hitTrace, type HitTrace, type Waypoint } from './hitTrace.js';
import { leave, QUICK_MS, withTimeout } from './qemuGdbLink.js';

/**
 * The armed part of a breakpoint session: `continue`, then the first stop is the hit. Released after a halt, the
 * CPU stays where it is (power is being cut): the breakpoint goes and gdb disconnects. Released before, the target
 * is interrupted, the breakpoint removed and gdb disconnected, so the board runs on as if no debugger had been
 * there. A stop that is not the breakpoint is not the hit. While armed, gdb runs the CPU: the board is told, so
 * that a power cut then kills QEMU rather than stopping a CPU gdb would resume.
 */
export function breakSession(
  mi: GdbMi,
  target: DebugTarget,
  breakpoint: CodeBreakpoint,
  options: { signal: AbortSignal; timeoutMs: number },
  flashOps: FlashOps | undefined,
  traced?: { trace: HitTrace; key: string; waypoint?: Waypoint },
) {
  const session = new BreakSession(mi, target, breakpoint, options, flashOps, traced);
  return { armed: session.armed, halted: session.halted, release: session.release, released: session.released };
}

class BreakSession {
  readonly armed: Promise<void>;
  readonly halted: Promise<Halt>;
  readonly released: Promise<void>;
  /** Hits the counting breakpoint leaves out: reached on the watchpoint. Undefined while running to it. */
  private before: number | undefined;
  private isHalted = false;
  private stoppedOtherwise = false;
  private targetGone = false;
  private releasedEarly = false;
  /** Stopped on the watchpoint, not yet resumed: a release has nothing to interrupt. */
  private atWatch = false;
  private onReleased!: () => void;
  private releasing?: Promise<number | undefined>;

  constructor(
    private readonly mi: GdbMi,
    private readonly target: DebugTarget,
    private readonly breakpoint: CodeBreakpoint,
    private readonly options: { signal: AbortSignal; timeoutMs: number },
    private readonly flashOps: FlashOps | undefined,
    private readonly traced?: { trace: HitTrace; key: string; waypoint?: Waypoint },
  ) {
    const waypoint = traced?.waypoint;
    this.before = waypoint ? undefined : 0;
    this.released = new Promise<void>((r) => (this.onReleased = r));
    const first = mi.nextStop();
    first.catch(() => undefined);
    const stop = waypoint ? first.then((s) => this.toWaypoint(s, waypoint)) : first;
    // Whatever ends the run (the hit, an interrupt, the target going away), gdb no longer resumes the CPU.
    stop.then(
      () => target.debuggerRuns(false),
      () => target.debuggerRuns(false),
    );
    this.halted = this.haltAt(stop);
    // Rejections of `halted` are the caller's to see; they must not also count as unhandled here.
    this.halted.catch(() => undefined);
    target.debuggerRuns(true);
    this.armed = mi.command('-exec-continue', { timeoutMs: QUICK_MS, signal: options.signal }).then(() => undefined);
    this.armed.catch(() => this.onReleased());
  }

  readonly release = (): Promise<number | undefined> => (this.releasing ??= this.letGo());

  private async letGo(): Promise<number | undefined> {
    const { mi } = this;
    let calls: number | undefined;
    try {
      if (this.atWatch && mi.alive) {
        this.releasedEarly = true;
        await mi.command('-break-delete', { timeoutMs: QUICK_MS });
        await leave(mi);
      } else if (!this.isHalted && !this.stoppedOtherwise && !this.targetGone && mi.alive) {
        this.releasedEarly = true;
        const interrupted = mi.nextStop();
        interrupted.catch(() => undefined);
        await mi.command('-exec-interrupt', { timeoutMs: QUICK_MS });
        await withTimeout(interrupted, QUICK_MS);
        calls = await this.counted();
        await mi.command('-break-delete', { timeoutMs: QUICK_MS });
        await leave(mi);
      } else if (mi.alive) {
        // The count is gdb's own variable: still there when the board is gone. Halted, it is the hit.
        calls = this.isHalted ? this.breakpoint.hit : await this.counted();
        await mi.command('-break-delete', { timeoutMs: QUICK_MS });
        // Killed, the board took the link with it; stopped, it is still there and must not be resumed.
        if (!this.targetGone) await mi.command('-target-disconnect', { timeoutMs: QUICK_MS }).catch(() => undefined);
      }
    } catch {
      // The link is gone or gdb is stuck: a new gdb serves the next operation.
      mi.kill();
    } finally {
      this.onReleased();
    }
    return calls;
  }

  private async counted(): Promise<number | undefined> {
    const calls = this.before === undefined ? undefined : await callsCounted(this.mi);
    return calls === undefined || this.before === undefined ? undefined : this.before + calls;
  }

  /**
   * Stops on the watched word until one is inside the function: that call is the waypoint's hit (no earlier
   * call used the word). Then the counting breakpoint for the hits after it, and on to the next stop.
   */
  private async toWaypoint(s: MiStop, at: Waypoint): Promise<MiStop> {
    const { symbol, hit } = this.breakpoint;
    for (;;) {
      if (this.releasedEarly || !s.reason?.endsWith('watchpoint-trigger')) return s;
      this.atWatch = true;
      if (s.func === symbol) break;
      s = await this.resume();
    }
    await this.mi.command('-break-delete', { timeoutMs: QUICK_MS });
    for (const command of countingBreakpoint(symbol, hit - at.hit)) await this.mi.cli(command, { timeoutMs: QUICK_MS });
    this.before = at.hit;
    if (this.releasedEarly) return s;
    return this.resume();
  }

  private async resume(): Promise<MiStop> {
    const next = this.mi.nextStop();
    next.catch(() => undefined);
    this.atWatch = false;
    await this.mi.command('-exec-continue', { timeoutMs: QUICK_MS, signal: this.options.signal });
    return next;
  }

  /** The halt at the hit; rejected when the run ends otherwise, the time is up or the signal aborts. */
  private haltAt(stop: Promise<MiStop>): Promise<Halt> {
    const { mi, options } = this;
    const { symbol, hit } = this.breakpoint;
    return new Promise<Halt>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
      };
      const fail = (error: unknown) => {
        done();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new RigError(mi.part, `no hit ${hit} of ${symbol} within ${formatDuration(options.timeoutMs)}`)),
        options.timeoutMs,
      );
      const onAbort = () => fail(options.signal.reason);
      options.signal.addEventListener('abort', onAbort, { once: true });
      stop.then(
        async (s) => {
          const error = await this.notTheHit(s);
          if (error) return fail(error);
          done();
          resolve(this.halt(s));
        },
        (err: unknown) => {
          this.targetGone = true;
          fail(new RigError(mi.part, `gdb lost the board before hit ${hit} of ${symbol}: ${(err as Error).message}`));
        },
      );
    });
  }

  /** Why the stop that ended the run is not the hit, or undefined when it is (and is halted there). */
  private async notTheHit(s: MiStop): Promise<RigError | undefined> {
    const { mi } = this;
    const { symbol, hit } = this.breakpoint;
    // The stop of the interrupt that released the session is not the hit.
    if (this.releasedEarly) return new RigError(mi.part, `gdb was released before hit ${hit} of ${symbol}`);
    if (s.reason !== 'breakpoint-hit') {
      this.stoppedOtherwise = true;
      return new RigError(
        mi.part,
        `the board stopped before hit ${hit} of ${symbol}, not at the breakpoint (${s.reason ?? 'no reason given'})`,
      );
    }
    this.isHalted = true;
    if (this.traced && !(await learn(mi, this.traced, hit))) {
      return new RigError(
        mi.part,
        `hit ${hit} of ${symbol} is not the call it was on an earlier case of the same sweep: the firmware's calls differ from case to case`,
      );
    }
    return undefined;
  }

  private halt(s: MiStop): Halt {
    const { mi, target } = this;
    return {
      t: s.t,
      pc: s.addr,
      release: () => this.release().then(() => undefined),
      handOver: async () => {
        target.keepHalted();
        await this.release();
        return target.gdb;
      },
      fault: (fault) =>
        applyFault(
          { mi, symbol: this.breakpoint.symbol, ops: this.flashOps, runTo: (address, ms) => runTo(mi, target, address, ms) },
          fault,
        ),
    };
  }
}

/**
 * From a halt, lets the CPU run to `address` (a temporary breakpoint) and halts there. The board is told gdb runs
 * the CPU until it halted again: a cut meanwhile kills QEMU rather than stopping a CPU gdb would resume.
 */
async function runTo(mi: GdbMi, target: DebugTarget, address: number, timeoutMs: number): Promise<{ t: number; pc?: number }> {
  await mi.command(`-break-insert -t *${hex(address)}`, { timeoutMs: QUICK_MS });
  const stop = mi.nextStop();
  stop.catch(() => undefined);
  target.debuggerRuns(true);
  await mi.command('-exec-continue', { timeoutMs: QUICK_MS });
  const s = await withTimeout(stop, timeoutMs);
  if (s.reason !== 'breakpoint-hit')
    throw new RigError(mi.part, `the board stopped on its way to ${hex(address)}, not at it (${s.reason ?? 'no reason given'})`);
  target.debuggerRuns(false);
  return { t: s.t, pc: s.addr };
}

/** The trace of the breakpoint's sequence of calls, keyed also by the ELF's contents (a rebuilt ELF is another firmware). */
export async function traceOf(breakpoint: CodeBreakpoint): Promise<{ trace: HitTrace; key: string } | undefined> {
  if (!breakpoint.sequence) return undefined;
  const elf = await readFile(breakpoint.symbols).catch(() => undefined);
  if (!elf) return undefined;
  const firmware = createHash('sha256').update(elf).digest('hex');
  const key = JSON.stringify([breakpoint.sequence, firmware, breakpoint.symbol]);
  return { trace: hitTrace(key), key };
}

/** Records the halted call's registers in the trace; false if the same hit was another call before. */
async function learn(mi: GdbMi, traced: { trace: HitTrace; key: string }, hit: number): Promise<boolean> {
  const expression = `{${CALL_REGISTERS.map((r) => `(unsigned int)$${r}`).join(', ')}}`;
  const { results } = await mi.command(`-data-evaluate-expression "${expression}"`, { timeoutMs: QUICK_MS }).catch(() => ({ results: '' }));
  const values = /value="\{([\d, ]+)\}"/.exec(results)?.[1]?.split(',').map(Number);
  if (values?.length !== CALL_REGISTERS.length) return true;
  if (traced.trace.record(hit, values)) return true;
  dropHitTrace(traced.key);
  return false;
}

/**
 * A write watchpoint on the word the waypoint's call programs. Not an access watchpoint: code running from the
 * same flash reads its constants there, and a stop per read made a case miss its hit.
 */
export function watchWord(waypoint: Waypoint): string {
  return `watch *(unsigned int *)${hex(waypoint.address)}`;
}

/** The calls the counting breakpoint saw (its condition counts them in `$hil_calls`); undefined if gdb cannot say. */
async function callsCounted(mi: GdbMi): Promise<number | undefined> {
  const { results } = await mi.command('-data-evaluate-expression $hil_calls', { timeoutMs: QUICK_MS }).catch(() => ({ results: '' }));
  const value = /value="(\d+)"/.exec(results)?.[1];
  return value === undefined ? undefined : Number(value);
}

/**
 * `break *symbol` that stops at the `hit`-th call. Not gdb's `ignore` count: an exception taken at the
 * breakpoint (a timer interrupt right at the function's entry) returns to the same instruction and reports the
 * breakpoint again, so `ignore` counts one call twice (seen: hit 500 stopped after 496 to 498 words). A stop is
 * a new call only when the stack, return address or arguments differ from the previous stop's; the counting
 * happens in the condition, which gdb evaluates at every stop.
 */
export function countingBreakpoint(symbol: string, hit: number): string[] {
  return callBreakpoint(symbol, `== ${hit}`);
}

/** `break *symbol` that stops at every call, told apart from a repeated stop as countingBreakpoint does (a survey). */
export function everyCallBreakpoint(symbol: string): string[] {
  return callBreakpoint(symbol, '> 0');
}

/** The breakpoint whose condition counts each new call in `$hil_calls` and stops where `count` holds of it. */
function callBreakpoint(symbol: string, count: string): string[] {
  const saved = (r: string) => `$hil_${r}`;
  const changed = CALL_REGISTERS.map((r) => `$${r} != ${saved(r)}`).join(' || ');
  const remember = [...CALL_REGISTERS.map((r) => `${saved(r)} = $${r}`), '$hil_calls = $hil_calls + 1'].join(', ');
  // One command for all the variables (a comma expression): each command is a round trip with the CPU halted.
  const reset = [...CALL_REGISTERS.map((r) => `${saved(r)} = -1`), '$hil_calls = 0'].join(', ');
  return [`set var ${reset}`, `break *${symbol} if (${changed}) && (${remember}) ${count}`];
}
