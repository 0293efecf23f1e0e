import { CaseFailure, CaseSkipped, ConfigError, Interrupted, RigError } from './errors.js';

/** What `hil` exits with; CI tells a broken board (1) from a broken file (2) and a broken rig (3). */
export const EXIT = { ok: 0, failed: 1, config: 2, rig: 3, sigint: 130, sigterm: 143 } as const;

export type CaseStatus = 'pass' | 'fail' | 'error' | 'skipped';

export interface Outcome {
  /** How a case that ended with this error is reported. */
  status: Exclude<CaseStatus, 'pass'>;
  /** What the CLI exits with when this error ends a command (or decides a run). */
  exitCode: number;
}

/**
 * The one mapping from an error to a case status and an exit code. A ConfigError met inside a case is that
 * case's error (the rest of the run goes on); one that ends a command exits 2. Anything not one of ours is an
 * internal error, counted as the rig's: it never makes a board look broken.
 */
export function outcome(error: unknown): Outcome {
  if (error instanceof CaseFailure) return { status: 'fail', exitCode: EXIT.failed };
  if (error instanceof CaseSkipped) return { status: 'skipped', exitCode: EXIT.ok };
  if (error instanceof ConfigError) return { status: 'error', exitCode: EXIT.config };
  if (error instanceof Interrupted) return { status: 'error', exitCode: error.signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm };
  if (error instanceof RigError) return { status: 'error', exitCode: EXIT.rig };
  return { status: 'error', exitCode: EXIT.rig };
}
