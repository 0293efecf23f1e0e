/** mulberry32: 32-bit words, small, fast and the same on every machine, so a seed names the same values forever. */
export function seededWords(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The same generator as numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  const next = seededWords(seed);
  return () => next() / 4294967296;
}
