import { readdirSync, readFileSync } from 'node:fs';

/** Command lines of live processes whose argv mentions `needle` (read from /proc: no ps, no races with zombies). */
export function processesMentioning(needle: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      const status = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (/\) Z /.test(status)) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (cmd.includes(needle)) found.push(`${pid} ${cmd}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** The parent pid from /proc/PID/stat (the field after the parenthesised command name, which may hold spaces). */
function parentOf(pid: string | number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Pids of the live children of `pid` (QEMU and gdb are started by hil itself). */
export function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && parentOf(p) === pid)
    .map(Number);
}

/** Command lines of the processes mentioning `needle` that `parent` started (other runs may have their own). */
export const startedBy = (parent: number, needle: string) =>
  processesMentioning(needle).filter((p) => parentOf(p.split(' ')[0]!) === parent);

/**
 * Processes mentioning `needle` that are this process's children, or orphans (reparented to init): either is one
 * left behind. Those of other hil runs sharing the machine (other test files, a bench) are neither.
 */
export function strays(needle: string): string[] {
  return processesMentioning(needle).filter((p) => {
    const parent = parentOf(p.split(' ')[0]!);
    return parent === process.pid || parent === 1;
  });
}

/** Probe gdb sessions (armed breakpoints included) left behind. */
export const strayBreakSessions = () => strays('--interpreter=mi3');

/** Whether a process still runs: neither gone nor a zombie its parent has not reaped. */
export function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
