import { findOnPath } from './findOnPath.js';

/**
 * Process groups of the tools and emulators hil started detached (each in its own group, so a kill reaches
 * their children too). A detached child would outlive Node: those still alive are SIGKILLed when Node exits.
 */
const live = new Set<number>();
let exitHookInstalled = false;

export function killGroup(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone, which is what we want.
  }
}

export function trackGroup(pid: number): void {
  live.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const group of live) killGroup(group);
  });
}

export function untrackGroup(pid: number): void {
  live.delete(pid);
}

/**
 * util-linux setpriv sets a parent-death signal and execs the program in place (same pid), so the kernel kills a
 * long-lived child (an emulator, a debugger) even when Node dies without running its exit hook (SIGKILL, OOM, a
 * crashed test worker). Without setpriv the program runs as given.
 */
const SETPRIV = findOnPath('setpriv');

/** The command line that runs `program` with `args`, killed when its parent dies. */
export function diesWithParent(program: string, args: readonly string[]): [string, string[]] {
  return SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', '--', program, ...args]] : [program, [...args]];
}
