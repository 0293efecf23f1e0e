import type { StateSpec } from './ModelTree.js';

/** Timers of the model (`after`) and of its waits; xstate's SimulatedClock fits, for tests. */
export interface ModelClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

export const REAL_CLOCK: ModelClock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
};

/** Entries kept for `recent` waits; far more than the states a board passes between two steps. */
const MAX_RECENT = 1024;

interface Waiter {
  target: StateSpec;
  reject(err: unknown): void;
  settle(): void;
}

/**
 * The steps waiting for the model to enter a state, and the states it entered lately. A step that waits for a
 * state the board passed through while the step before it ran (a reset that comes and goes in 16 ms) must still
 * see it: that is a `recent` wait, and it looks only at entries from the last runner event on (`since`), so an
 * entry from before the last power, button, reset or send never counts; a later `recent` wait looks only past
 * what the one before it saw.
 */
export class StateWaits {
  private recent: Array<{ state: StateSpec; t: number }> = [];
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly clock: ModelClock) {}

  /** A runner event asked for at `from`: entries from before it no longer count. */
  since(from: number): void {
    this.recent = this.recent.filter((e) => e.t >= from);
  }

  /** The model entered `state` at `t`. */
  entered(state: StateSpec, t: number): void {
    // A board that loops through states with no step waiting would grow it without end.
    if (this.recent.push({ state, t }) > MAX_RECENT) this.recent.shift();
  }

  /** Settles the waits for any of the states a macrostep entered. */
  settle(entered: readonly StateSpec[]): void {
    for (const waiter of [...this.waiters]) if (entered.includes(waiter.target)) waiter.settle();
  }

  /** Whether the model passed through `target` since the last runner event; a later `recent` wait looks past it. */
  passedThrough(target: StateSpec): boolean {
    const passed = this.recent.findIndex((e) => e.state === target);
    if (passed < 0) return false;
    this.recent = this.recent.slice(passed + 1);
    return true;
  }

  /** A `recent` wait met by the state the model is in: later ones look only past what it saw, which is all. */
  seenAll(): void {
    this.recent = [];
  }

  /** Waits for the model to enter `target`; `timedOut` says why not, when the time is up. */
  wait(target: StateSpec, options: { timeoutMs: number; signal?: AbortSignal; recent?: boolean }, timedOut: () => unknown): Promise<void> {
    const { signal, timeoutMs, recent } = options;
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => waiter.reject(signal!.reason);
      const timer = this.clock.setTimeout(() => waiter.reject(timedOut()), timeoutMs);
      const cleanup = () => {
        this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = {
        target,
        settle: () => {
          cleanup();
          if (recent) this.recent = this.recent.slice(this.recent.findLastIndex((e) => e.state === target) + 1);
          resolve();
        },
        reject: (err) => {
          cleanup();
          reject(err);
        },
      };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Ends every wait with the error `errorFor` gives for its target. */
  rejectAll(errorFor: (target: StateSpec) => unknown): void {
    for (const waiter of [...this.waiters]) waiter.reject(errorFor(waiter.target));
  }
}
