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
