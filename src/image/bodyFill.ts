/**
 * Filler appended to an app binary so its image fills a slot: every byte of the slot then matters to a copy,
 * an erase and the hash. Deterministic (a fixed xorshift32 stream, so rebuilt images are byte-identical) and
 * never 0xff, so no word is erased-looking: a bootloader that skips or drops one is seen by the hash.
 */
export function bodyFill(length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = 0x2545f491;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x % 255;
  }
  return out;
}
