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
