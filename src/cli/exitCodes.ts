import { ConfigError, RigError } from '../core/errors.js';
import type { RunResult } from '../report/RunResult.js';

export const EXIT = { ok: 0, failed: 1, config: 2, rig: 3, sigint: 130, sigterm: 143 } as const;

/** A board that did something wrong is the headline: a failed case outranks a rig error in the same run. */
export function exitCodeForRun(run: RunResult): number {
  if (run.interrupted === 'SIGINT') return EXIT.sigint;
  if (run.interrupted === 'SIGTERM') return EXIT.sigterm;
  if (run.cases.some((c) => c.status === 'fail')) return EXIT.failed;
  // A run killed before its end (read back by `hil report merge`) never looks green.
  if (run.cases.some((c) => c.status === 'error') || run.reportErrors?.length || run.unfinished) return EXIT.rig;
  return EXIT.ok;
}

/** What the CLI prints and returns for an error that escaped a command. */
export function describeError(error: unknown): { code: number; message: string } {
  if (error instanceof ConfigError) return { code: EXIT.config, message: error.message };
  if (error instanceof RigError) {
    const detail = error.detail ? `\n${error.detail.trim().split('\n').slice(-5).map((l) => `  ${l}`).join('\n')}` : '';
    return { code: EXIT.rig, message: `rig error (${error.part}): ${error.message}${detail}` };
  }
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES' || code === 'EROFS' || code === 'ENOSPC' || code === 'EPERM') {
    const path = (error as NodeJS.ErrnoException).path ?? '';
    return { code: EXIT.rig, message: `cannot write ${path}: ${(error as Error).message}` };
  }
  const text = process.env["HIL_DEBUG"] ? (error as Error)?.stack : (error as Error)?.message;
  return { code: EXIT.rig, message: `internal error: ${text ?? String(error)} (set HIL_DEBUG=1 for a stack trace)` };
}
