/** The unit two flash states are compared in: a sector of the virtual rig's flash. */
const CHUNK = 4096;

/**
 * The ranges where `next` differs from `now` (or runs past its end), by whole CHUNKs, neighbours joined: what
 * to write to make a flash that holds `now` hold `next`. Blocks of 16 chunks are compared first: flash states a
 * word apart differ in one chunk of thousands.
 */
export function changedRanges(now: Buffer, next: Buffer): Array<{ offset: number; length: number }> {
  const ranges: Array<{ offset: number; length: number }> = [];
  const same = (from: number, to: number) => to <= now.length && next.compare(now, from, to, from, to) === 0;
  const block = CHUNK * 16;
  for (let b = 0; b < next.length; b += block) {
    const bEnd = Math.min(next.length, b + block);
    if (same(b, bEnd)) continue;
    for (let at = b; at < bEnd; at += CHUNK) {
      const end = Math.min(bEnd, at + CHUNK);
      if (same(at, end)) continue;
      const last = ranges.at(-1);
      if (last && last.offset + last.length === at) last.length = end - last.offset;
      else ranges.push({ offset: at, length: end - at });
    }
  }
  return ranges;
}
