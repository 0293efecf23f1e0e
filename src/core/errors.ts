/**
 * The three ways a case can go wrong, kept apart because CI treats them differently:
 * a ConfigError is the user's file, a RigError is the test station (never a test failure), a CaseFailure is
 * the board misbehaving. core/outcome.ts maps each to a case status and an exit code.
 */

export interface SourceLocation {
  file: string;
  line?: number;
  col?: number;
  /** Path of the offending field, e.g. `steps[3].cut.after`. */
  field?: string;
}

function formatLocation(where: SourceLocation): string {
  let s = where.file;
  if (where.line !== undefined) s += `:${where.line}`;
  if (where.line !== undefined && where.col !== undefined) s += `:${where.col}`;
  if (where.field) s += ` ${where.field}`;
  return s;
}

export interface ConfigIssue extends SourceLocation {
  message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  return `${formatLocation(issue)}: ${issue.message}`;
}

export class ConfigError extends Error {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue | ConfigIssue[]) {
    const list = Array.isArray(issues) ? issues : [issues];
    super(list.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = list;
  }
}

/** The rig did something wrong: probe absent, console gone, relay refused, tool missing or hung. */
export class RigError extends Error {
  /** Which part of the rig: `console`, `power`, `probe`, `outputs.button`, ... */
  readonly part: string;
  /** What the tool itself said, kept verbatim for the report. */
  readonly detail?: string;
  constructor(part: string, message: string, options?: { detail?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RigError';
    this.part = part;
    this.detail = options?.detail;
  }
}

/** The board misbehaved: the expectation model failed, a forbidden line appeared, an assertion did not hold. */
export class CaseFailure extends Error {
  /** Model state when it failed, if a model was involved. */
  readonly state?: string;
  /** Events the model would have accepted in that state. */
  readonly expected?: string[];
  /** The last console lines before the failure. */
  readonly lastLines?: string[];
  constructor(message: string, details?: { state?: string; expected?: string[]; lastLines?: string[] }) {
    super(message);
    this.name = 'CaseFailure';
    this.state = details?.state;
    this.expected = details?.expected;
    this.lastLines = details?.lastLines;
  }
}

/**
 * The case ran but did not test what its scenario asserts (a timed cut that landed after the state it was
 * anchored to had ended): reported as skipped, never as a pass or a fail.
 */
export class CaseSkipped extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaseSkipped';
  }
}

/** The run was interrupted by a signal; the case is reported as an error and the run exits 128+n. */
export class Interrupted extends Error {
  readonly signal: NodeJS.Signals;
  constructor(signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.name = 'Interrupted';
    this.signal = signal;
  }
}
