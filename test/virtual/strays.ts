import { readFileSync } from 'node:fs';
import { processesMentioning } from '../helpers/processes.js';

/** The parent pid from /proc/PID/stat (the field after the parenthesised command name, which may hold spaces). */
function parentOf(pid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

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
