/**
 * This process's CPU time (user + system) since `start` (a `process.cpuUsage()`), in ms. A "fast enough" check on
 * in-process work uses it: the wall clock of a machine shared with other test files is no measure.
 */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}
