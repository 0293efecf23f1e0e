import { CaseFailure } from '../core/errors.js';
import type { ConsoleLine, ConsoleSegment } from '../protocols/Console.js';

/** Events the runner feeds the model besides console lines. */
export type RunnerEventType = 'POWER_ON' | 'POWER_OFF' | 'BUTTON_DOWN' | 'BUTTON_UP' | 'RESET' | 'SENT';

export interface RunnerEvent {
  type: RunnerEventType;
  t: number;
  /** When the runner began the action, if before `t` (a send is asked for, then written): what the board did from then on answers it. */
  askedAt?: number;
  /** For BUTTON_*: the output name; for SENT: the text sent. */
  detail?: string;
}

/** A classified console line as it goes into the model. */
export interface LineEvent {
  type: string;
  t: number;
  line: string;
  groups: Record<string, string>;
}

export interface ModelFailure {
  /** One line: the reason, what caused it, the state before and the events it expected. */
  message: string;
  /** The fail state's reason (`no-banner` for `#fail.no-banner`), `forbidden` or `unexpected`. */
  reason: string;
  /** State the model was in just before it failed (dotted path). */
  state: string;
  /** Events that state accepted without failing. */
  expected: string[];
  /** The last console lines up to and including the one that caused the failure. */
  lastLines: string[];
  t: number;
}

/** The case failure a model failure ends its case with. */
export function caseFailureOf(f: ModelFailure): CaseFailure {
  return new CaseFailure(f.message, { state: f.state, expected: f.expected, lastLines: f.lastLines });
}

export interface Coverage {
  /** Every state of the model but the fail states, parents before children. */
  states: string[];
  /** Those entered at least once, same order. */
  visited: string[];
  /** States the model marks `cuttable: true`, same order. */
  cuttable?: string[];
  /**
   * Every transition written in the model with how often it was taken. `from` is the state it is written
   * in (`*` for the model's root), `to` its target (`from` for one that stays), `when` its condition.
   */
  transitions: Array<{ from: string; event: string; to: string; when?: string; count: number }>;
}

/** The live expectation model of one case. */
export interface Expectation {
  /** Feeds a whole console line: each of its `\r` segments, as `feedSegment` would (recorded consoles, tests). */
  feedLine(line: ConsoleLine): void;
  /**
   * Classifies a console segment; feeds the matching event (if any) and checks forbidden patterns. A partial
   * segment (no line ending yet) is matched against the prompt patterns only; once one matched, the segment
   * gives no further event, neither as it grows nor when it ends.
   */
  feedSegment(segment: ConsoleSegment): void;
  send(event: RunnerEvent): void;
  /** Current state as a dotted path (`bootloader.copying`). */
  state(): string;
  /** Whether `path` (a value `state()` returned) lies in state `name`, itself or a state inside it. */
  within(path: string, name: string): boolean;
  /** Set once the model failed; further input is ignored. */
  failure(): ModelFailure | undefined;
  /** Calls `listener` once, when the model fails (at once if it already has); returns the unsubscribe. */
  onFailure(listener: (failure: ModelFailure) => void): () => void;
  /**
   * Resolves when the model is in `state` (now or later); rejects with CaseFailure when the model fails, the
   * timeout passes or the signal aborts. With `recent`, an entry into `state` that already came and went
   * counts too, when it came after the previous `recent` wait returned and after the last runner event. With
   * `fresh`, being in `state` does not count: only an entry after the last runner event (and, with `recent`,
   * after the previous wait) does.
   */
  waitFor(state: string, options: { timeoutMs: number; signal?: AbortSignal; recent?: boolean; fresh?: boolean }): Promise<void>;
  /**
   * Resolves once a console line (or prompt) matched `pattern` after the last runner event: at once if one
   * already has, else at the next. Rejects as `waitFor` does.
   */
  waitForMatch(pattern: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<void>;
  /** Calls `listener` each time the model enters `state`. */
  onEnter(state: string, listener: (t: number) => void): () => void;
  /** Calls `listener` for every classified line event (used by `cut` on a pattern). */
  onLineEvent(listener: (event: LineEvent) => void): () => void;
  /** The last console lines the model read (the open one last, each cut to a readable length): what a failure shows. */
  lastLines(): string[];
  coverage(): Coverage;
  stop(): void;
}
