import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const HIL_BIN = `${ROOT}bin/hil.js`;

/** Runs the built `hil` CLI as a user would; never throws on a non-zero exit. */
export async function hil(
  args: string[],
  options: { cwd?: string; timeoutMs?: number; env?: Record<string, string>; wrap?: string[] } = {},
) {
  // `wrap`: a command hil runs under (/usr/bin/time ...).
  const [cmd, ...argv] = [...(options.wrap ?? []), process.execPath, HIL_BIN, ...args];
  const result = await execa(cmd!, argv, {
    cwd: options.cwd ?? ROOT,
    reject: false,
    timeout: options.timeoutMs ?? 60_000,
    // HIL_WAIT: test files run at once and share the virtual rig; a run queues for its lease instead of exit 3.
    // HIL_QUARANTINE_AFTER=0: tests make rig errors on purpose, run after run; they must not quarantine the rig.
    env: { NO_COLOR: '1', HIL_WAIT: '900', HIL_QUARANTINE_AFTER: '0', ...options.env },
    forceKillAfterDelay: 2_000,
  });
  return { code: result.exitCode, stdout: result.stdout, stderr: result.stderr, all: `${result.stdout}\n${result.stderr}` };
}

/**
 * Starts the built `hil` CLI and returns the live process, for a test that signals it or watches its output.
 * HIL_QUARANTINE_AFTER=0: these runs make rig errors on purpose and must not quarantine the rig.
 */
export function startHil(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}) {
  return execa(process.execPath, [HIL_BIN, ...args], {
    cwd: ROOT,
    reject: false,
    env: { NO_COLOR: '1', HIL_QUARANTINE_AFTER: '0', ...options.env },
    timeout: options.timeoutMs ?? 90_000,
    forceKillAfterDelay: 2_000,
  });
}
