import { ConfigError, Interrupted, RigError } from '../core/errors.js';
import { EXIT, outcome } from '../core/outcome.js';
import type { RunResult } from '../report/RunResult.js';

/** The exit codes as `hil --help`, `hil run --help` and `hil report merge --help` list them. */
export const EXIT_CODES_HELP = `
Exit codes:
  ${EXIT.ok}    every case passed
  ${EXIT.failed}    a case failed: the board did something wrong (outranks 3)
  ${EXIT.config}    usage or config error: a bad file, option or argument; nothing was run
  ${EXIT.rig}    rig error: probe, console, relay or tool; a rig quarantined or busy; a run that did not finish
  ${EXIT.sigint}  interrupted by SIGINT (Ctrl-C): power switched off, the partial reports written
  ${EXIT.sigterm}  interrupted by SIGTERM (a CI cancel): the same`;

/** `hil debug`'s: it has no verdict, and ends with a signal when all went well. */
export const DEBUG_EXIT_CODES_HELP = `
Exit codes:
  ${EXIT.failed}    the case ended before the halt: it failed, or the hit never came
  ${EXIT.config}    usage or config error: an unknown case, one without a cut, a rig that is not emulated; nothing was run
  ${EXIT.rig}    rig error: probe, console, QEMU or gdb; the rig busy
  ${EXIT.sigint}  ended by SIGINT (Ctrl-C), the usual end: power switched off, the rig released
  ${EXIT.sigterm}  ended by SIGTERM: the same`;

/**
 * The exit code of a run's result, for `hil run` and `hil report merge` alike. A signal this process received
 * (`received`: `hil run`'s own Ctrl-C or SIGTERM) is its headline, as a shell expects of an interrupted command;
 * then a board that did something wrong outranks everything the station did. A run that did not finish (one
 * merged run interrupted or killed), a rig error, a report not written or a quarantined rig that ran nothing is
 * never green.
 */
export function exitCodeForRun(run: RunResult, received?: NodeJS.Signals): number {
  if (received) return outcome(new Interrupted(received)).exitCode;
  if (run.cases.some((c) => c.status === 'fail')) return EXIT.failed;
  if (
    run.interrupted ||
    run.unfinished ||
    run.reportErrors?.length ||
    run.cases.some((c) => c.status === 'error' || c.properties['quarantined'] === 'true')
  )
    return EXIT.rig;
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
