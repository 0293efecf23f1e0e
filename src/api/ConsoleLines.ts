import { compilePattern } from '../config/pattern.js';
import { ConfigError } from '../core/errors.js';
import type { ConsoleLine } from '../protocols/Console.js';

/** A console pattern: a string as in a scenario's `expect.patterns` (`(?i)` for caseless), or a RegExp. */
export type ConsolePattern = string | RegExp;

/** What `console.expect` found. */
export interface ConsoleMatch {
  /** The whole line that matched, without its line ending. */
  line: string;
  /** When the line arrived: ms since the case started, on the case's timeline. */
  t: number;
  /** The part of the line the pattern matched. */
  text: string;
  /** Named groups (`(?<version>\S+)`); empty without. */
  groups: Record<string, string>;
  /** The match itself: numbered groups are `match[1]`, ... */
  match: RegExpExecArray;
}

/**
 * Compiles a pattern for the console. A string gets the checks a scenario's patterns get (an invalid or
 * catastrophic one is a ConfigError saying why); a RegExp is taken as it is, without its g and y flags.
 */
export function consoleRegExp(pattern: ConsolePattern, where: string): RegExp {
  if (pattern instanceof RegExp) return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  if (typeof pattern !== 'string')
    throw new ConfigError({ file: where, message: `a pattern is a string or a RegExp, got ${typeof pattern}` });
  let problem = 'invalid pattern';
  const regex = compilePattern(pattern, (message) => (problem = message));
  if (!regex) throw new ConfigError({ file: where, message: problem });
  return regex;
}

export function shownPattern(regex: RegExp): string {
  return `/${regex.source}/${regex.flags}`;
}

interface Waiter {
  regex: RegExp;
  found(line: ConsoleLine, match: RegExpExecArray): void;
}

/**
 * Every console line of a case and a cursor, as pytest-embedded's `expect` keeps them: a search starts after the
 * last line matched, so a line printed before the search began still answers it, and no line answers twice.
 */
export class ConsoleLines {
  private readonly lines: ConsoleLine[] = [];
  private cursor = 0;
  private readonly waiters = new Set<Waiter>();

  push(line: ConsoleLine): void {
    this.lines.push(line);
    for (const waiter of this.waiters) {
      const match = waiter.regex.exec(line.text);
      if (!match) continue;
      this.cursor = this.lines.length;
      this.waiters.delete(waiter);
      waiter.found(line, match);
      return;
    }
  }

  /** Lines printed so far no longer answer a search (a board powered on again starts a new boot). */
  skipToEnd(): void {
    this.cursor = this.lines.length;
  }

  /** Lines not yet passed by a match. */
  unread(): string[] {
    return this.lines.slice(this.cursor).map((l) => l.text);
  }

  /** The next line (from the cursor on) that matches; rejects with `onTimeout()` after `timeoutMs`, or the signal's reason. */
  next(regex: RegExp, options: { timeoutMs: number; signal: AbortSignal; onTimeout(): Error }): Promise<ConsoleMatch> {
    for (let i = this.cursor; i < this.lines.length; i++) {
      const line = this.lines[i]!;
      const match = regex.exec(line.text);
      if (!match) continue;
      this.cursor = i + 1;
      return Promise.resolve(matchOf(line, match));
    }
    const { signal } = options;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<ConsoleMatch>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = {
        regex,
        found: (line, match) => {
          done();
          resolve(matchOf(line, match));
        },
      };
      const onAbort = () => {
        done();
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        done();
        reject(options.onTimeout());
      }, options.timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }
}

function matchOf(line: ConsoleLine, match: RegExpExecArray): ConsoleMatch {
  return { line: line.text, t: line.t, text: match[0], groups: { ...(match.groups ?? {}) }, match };
}
