import { RigError } from '../../core/errors.js';
import type { GdbMi, MiStop } from '../../gdb/GdbMi.js';
import type { SurveyHalt, SurveyRun } from '../../protocols/Probe.js';
import type { DebugTarget } from '../../virtual/DebugTarget.js';
import { connect, dropBreakpoints, QUICK_MS, withTimeout } from './qemuGdbLink.js';
import type { QemuBoard } from '../../virtual/QemuBoard.js';
import { loadSymbols } from './gdbSymbols.js';
import { everyCallBreakpoint } from './qemuBreakSession.js';

/** Connects, sets the breakpoint and runs the survey on the board's debugger, held until the survey ends. */
export function surveySession(
  board: QemuBoard,
  part: string,
  gdb: Promise<GdbMi>,
  code: { symbol: string; symbols: string },
  options: { signal: AbortSignal; timeoutMs: number },
  onHit: (halt: SurveyHalt) => Promise<boolean>,
): Promise<SurveyRun> {
  return new Promise<SurveyRun>((resolveArmed, rejectArmed) => {
    let armed = false;
    const session = board.withDebugger(part, async (target) => {
      if (!target.powered) throw new RigError(part, `cannot survey the calls of ${code.symbol}: the board lost power`);
      const mi = await gdb;
      await connect(mi, target, options.signal);
      try {
        await loadSymbols(mi, code.symbols, options.signal);
        for (const command of everyCallBreakpoint(code.symbol)) await mi.cli(command, { timeoutMs: QUICK_MS, signal: options.signal });
      } catch (err) {
        await dropBreakpoints(mi);
        throw err;
      }
      const run = new HitSurvey(mi, target, code.symbol, onHit, options);
      await run.armed;
      armed = true;
      resolveArmed(run);
      await run.ended.catch(() => undefined);
    });
    session.catch((err: unknown) => {
      if (!armed) rejectArmed(err);
    });
  });
}

/**
 * The running part of a survey: `continue`, and at each stop on the breakpoint (a call) `onHit` with the CPU
 * halted; it resumes when `onHit` says to go on. Ended (by `onHit`, `stop`, the signal or the time), the
 * breakpoint goes and gdb disconnects, and the board runs on as if no debugger had been there.
 */
class HitSurvey implements SurveyRun {
  readonly ended: Promise<number>;
  private hits = 0;
  private stopping = false;
  private running = false;
  private readonly armedOk: Promise<void>;
  private onArmed!: () => void;

  constructor(
    private readonly mi: GdbMi,
    private readonly target: DebugTarget,
    private readonly symbol: string,
    private readonly onHit: (halt: SurveyHalt) => Promise<boolean>,
    private readonly options: { signal: AbortSignal; timeoutMs: number },
  ) {
    this.armedOk = new Promise<void>((resolve) => (this.onArmed = resolve));
    this.ended = this.loop();
    this.ended.catch(() => this.onArmed());
  }

  /** Resolves once the CPU runs with the breakpoint in place (the first continue). */
  get armed(): Promise<void> {
    return Promise.race([this.armedOk, this.ended.then(() => undefined)]);
  }

  readonly stop = async (): Promise<number> => {
    this.stopping = true;
    // Running: interrupted, the loop sees the stop that is not a call and ends there.
    if (this.running && this.mi.alive) await this.mi.command('-exec-interrupt', { timeoutMs: QUICK_MS }).catch(() => this.mi.kill());
    return this.ended.catch(() => this.hits);
  };

  private async loop(): Promise<number> {
    const { mi, target, options } = this;
    const deadline = setTimeout(() => void this.stop(), options.timeoutMs);
    const onAbort = () => void this.stop();
    options.signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        const s = await this.resume();
        if (this.stopping) break;
        if (s.reason !== 'breakpoint-hit')
          throw new RigError(mi.part, `the board stopped during a survey of ${this.symbol}, not at it (${s.reason ?? 'no reason given'})`);
        this.hits += 1;
        if (!(await this.onHit({ hit: this.hits, t: s.t, ...(s.addr === undefined ? {} : { pc: s.addr }) }))) break;
        if (this.stopping) break;
      }
      options.signal.throwIfAborted();
      if (this.stopping && !this.hits) throw new RigError(mi.part, `no call of ${this.symbol} came during the survey`);
      return this.hits;
    } finally {
      clearTimeout(deadline);
      options.signal.removeEventListener('abort', onAbort);
      target.debuggerRuns(false);
      await dropBreakpoints(mi);
    }
  }

  private async resume(): Promise<MiStop> {
    const next = this.mi.nextStop();
    next.catch(() => undefined);
    this.target.debuggerRuns(true);
    this.running = true;
    try {
      await this.mi.command('-exec-continue', { timeoutMs: QUICK_MS, signal: this.options.signal });
      this.onArmed();
      // A stop asked for while the continue was under way found nothing to interrupt yet.
      if (this.stopping) await this.mi.command('-exec-interrupt', { timeoutMs: QUICK_MS });
      return await withTimeout(next, this.options.timeoutMs);
    } finally {
      this.running = false;
      this.target.debuggerRuns(false);
    }
  }
}
