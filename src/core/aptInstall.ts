import { RigError } from './errors.js';
import { runTool } from './exec.js';
import { findOnPath } from './findOnPath.js';

/** An index refresh and an install of a few packages; a mirror that stalls must not hold a rig runner for ever. */
const APT_TIMEOUT_MS = 20 * 60_000;

/** The command line that installs `packages`, for a person to run (`sudo apt-get install ...`). */
export function aptCommand(packages: readonly string[]): string {
  return `${process.getuid?.() === 0 ? '' : 'sudo '}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/**
 * Installs Debian packages: as root directly, otherwise through sudo when it needs no password (a rig runner's
 * setup). A password prompt is never attempted: the tool runs in its own process group, away from the terminal,
 * so an interactive user gets the command to run instead (a RigError carrying it).
 */
export async function aptInstall(packages: readonly string[], onOutput: (chunk: string) => void): Promise<void> {
  if (!findOnPath('apt-get'))
    throw new RigError('doctor', `apt-get is not here (not Debian or Ubuntu): install ${packages.join(' ')} with this system's packages`);
  let sudo: string[] = [];
  if (process.getuid?.() !== 0) {
    const passwordless =
      findOnPath('sudo') &&
      (await runTool({ part: 'doctor', cmd: 'sudo', args: ['-n', 'true'], timeoutMs: 10_000, reject: false })).exitCode === 0;
    if (!passwordless) throw new RigError('doctor', `installing needs root: run ${aptCommand(packages)}`);
    sudo = ['sudo', '-n'];
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...packages],
  ]) {
    const [cmd, ...rest] = [...sudo, 'apt-get', ...args];
    await runTool({ part: 'doctor', cmd: cmd!, args: rest, env, timeoutMs: APT_TIMEOUT_MS, onOutput: (chunk) => onOutput(chunk) });
  }
}
