/**
 * What a power cut does to a NOR flash operation under way, applied to the flash contents at the cut. Real parts
 * do not cut between whole operations: a word program interrupted part way leaves some of its bits cleared and
 * others not, an interrupted erase leaves a sector neither erased nor intact. Every model is seeded, so a case
 * replays bit for bit.
 *
 * - `clean`: the operation never started (the cut lands before its first instruction).
 * - `torn-word`: a program cut part way: a random part of the bits it clears are cleared.
 * - `erase-partial`: an erase cut part way: the sector partly erased, partly as it was or somewhere between.
 * - `after-op`: the operation completes and the cut lands right after it returns.
 */
export const FAULT_MODELS = ['clean', 'torn-word', 'erase-partial', 'after-op'] as const;
export type FaultModel = (typeof FAULT_MODELS)[number];

/** The flash operation a model applies to, where a model is tied to one. */
export const FAULT_OP: Partial<Record<FaultModel, 'program' | 'erase'>> = { 'torn-word': 'program', 'erase-partial': 'erase' };

/**
 * A word program of `data` over `old` (programming only clears bits: complete, it leaves `old & data`), cut part
 * way: `old & (data | mask)`. When two or more bits were to be cleared, the tear clears some and keeps some, so it
 * is neither the old word nor the new one.
 */
export function tornWord(old: number, data: number, random: () => number): number {
  const clearing = (old & ~data) >>> 0;
  let mask = random();
  if (popcount(clearing) >= 2) {
    for (let tries = 0; tries < 64 && ((clearing & mask) >>> 0 === 0 || (clearing & ~mask) >>> 0 === 0); tries++) mask = random();
    if ((clearing & mask) >>> 0 === 0 || (clearing & ~mask) >>> 0 === 0) mask = (~(clearing & -clearing) & ~0) >>> 0;
  }
  return (old & (data | mask)) >>> 0;
}

/**
 * A sector erase cut part way (erasing only sets bits). Half the seeds give an erase that went word by word and
 * stopped: the first words 0xFF, one word part way (`old | random`), the rest as they were; the other half an
 * erase that ran on the whole sector at once and stopped early: every word `old | random`.
 */
export function erasePartial(old: Buffer, random: () => number): Buffer {
  const out = Buffer.from(old);
  const words = Math.floor(out.length / 4);
  if (words === 0) return out;
  const part = (i: number) => out.writeUInt32LE((out.readUInt32LE(4 * i) | random()) >>> 0, 4 * i);
  if (random() % 2 === 0) {
    const erased = words > 1 ? 1 + (random() % (words - 1)) : 0;
    out.fill(0xff, 0, 4 * erased);
    part(erased);
  } else {
    for (let i = 0; i < words; i++) part(i);
  }
  return out;
}

function popcount(n: number): number {
  let c = 0;
  for (let v = n >>> 0; v; v &= v - 1) c++;
  return c;
}
