import { ConfigError, Interrupted, RigError } from '../core/errors.js';
import { EXIT, outcome } from '../core/outcome.js';
import type { RunResult } from '../report/RunResult.js';

/** A board that did something wrong is the headline: a failed case outranks a rig error in the same run. */
export function exitCodeForRun(run: RunResult): number {
  if (run.interrupted) return outcome(new Interrupted(run.interrupted)).exitCode;
  if (run.cases.some((c) => c.status === 'fail')) return EXIT.failed;
  // A run killed before its end (read back by `hil report merge`) never looks green.
  if (run.cases.some((c) => c.status === 'error') || run.reportErrors?.length || run.unfinished) return EXIT.rig;
  return EXIT.ok;
}

/** What the CLI prints and returns for an error that escaped a command. */
export function describeError(error: unknown): { code: number; message: string } {
  if (error instanceof ConfigError) return { code: outcome(error).exitCode, message: error.message };
  if (error instanceof RigError) {
    const detail = error.detail
      ? `\n${error.detail
          .trim()
          .split('\n')
          .slice(-5)
          .map((l) => `  ${l}`)
          .join('\n')}`
      : '';
    return { code: outcome(error).exitCode, message: `rig error (${error.part}): ${error.message}${detail}` };
  }
  // Case failures, skips and interruptions end inside a run; anything else that escapes a command is hil's own
  // fault or the file system's, never the board's, so it exits as the rig's.
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES' || code === 'EROFS' || code === 'ENOSPC' || code === 'EPERM') {
    const path = (error as NodeJS.ErrnoException).path ?? '';
    return { code: EXIT.rig, message: `cannot write ${path}: ${(error as Error).message}` };
  }
  const text = process.env['HIL_DEBUG'] ? (error as Error)?.stack : (error as Error)?.message;
  return { code: EXIT.rig, message: `internal error: ${text ?? String(error)} (set HIL_DEBUG=1 for a stack trace)` };
}
