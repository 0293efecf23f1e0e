import { readdirSync, readFileSync } from 'node:fs';

/**
 * Adds up user+system CPU ticks of `root` and its descendants (hil and what it started) into `cpu`, by pid: the
 * last value seen of each process, so one that has exited still counts what it used.
 */
export function sampleCpu(root, cpu) {
  const procs = new Map();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(pid), {
        ppid: Number(fields[1]),
        comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        ticks: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // gone while we looked
    }
  }
  for (const [pid, p] of procs) {
    let up = pid;
    for (let hops = 0; up && up !== root && hops < 10; hops++) up = procs.get(up)?.ppid;
    if (up !== root) continue;
    if ((cpu.get(pid)?.ticks ?? -1) < p.ticks) cpu.set(pid, { comm: p.comm, ticks: p.ticks });
  }
}

/**
 * CPU seconds per case of each program sampled into `cpu` (the root process named `hil`), most first, leaving out
 * those under 5 ms a case; and the total per case. `digits`: decimals of the seconds printed.
 */
export function cpuPerCase(cpu, rootPid, cases, digits) {
  const byProgram = {};
  for (const [pid, { comm, ticks }] of cpu) {
    const who = pid === rootPid ? 'hil' : comm;
    byProgram[who] = (byProgram[who] ?? 0) + ticks / 100;
  }
  const total = Object.values(byProgram).reduce((a, b) => a + b, 0);
  const parts = Object.entries(byProgram)
    .filter(([, secs]) => secs / cases >= 0.005)
    .sort((x, y) => y[1] - x[1])
    .map(([who, secs]) => `${who} ${(secs / cases).toFixed(digits)} s`)
    .join(', ');
  return { parts, total };
}
