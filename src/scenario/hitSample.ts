/**
 * How many of a swept function's first and last hits a `hit: { every: N }` sample always cuts at, unless the
 * step says `edges:`. A copy writes its header, magic or trailer in its first or last few words (the virtual
 * bootloader writes the 8 header words last; an MCUboot trailer magic is 4 words), and a bug in those writes
 * shows only there: an every-N-th sample lands in them by chance. 4 words cover a magic or the end of a header
 * for 8 cases more per sweep.
 */
export const DEFAULT_EDGES = 4;

/** The sample's point after `hit`, before the count is known: 1, 2, ... edges, then each 1 + k·every after. */
export function nextSampledHit(hit: number, every: number, edges: number): number {
  if (hit < edges) return hit + 1;
  return hit + every - ((hit - 1) % every);
}

/** The last `edges` hits of `count`, 1 at the lowest. */
export function lastHits(count: number, edges: number): number[] {
  const from = Math.max(1, count - edges + 1);
  return Array.from({ length: Math.max(0, count - from + 1) }, (_, i) => from + i);
}

/** Every hit a sample cuts at when the function is called `count` times, ascending, each once. */
export function sampledHits(count: number, every: number, edges: number): number[] {
  const hits = new Set<number>();
  for (let hit = 1; hit <= count; hit = nextSampledHit(hit, every, edges)) hits.add(hit);
  for (const hit of lastHits(count, edges)) hits.add(hit);
  return [...hits].sort((a, b) => a - b);
}
