import { describe, expect, it } from '@jest/globals';
import { seededWords } from '../../src/core/seededRandom.js';
import { erasePartial, tornWord } from '../../src/flash/faultModel.js';

describe('fault models', () => {
  it('a seed gives the same numbers on every run, another seed others', () => {
    const a = seededWords(3);
    const b = seededWords(3);
    const c = seededWords(4);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect([c(), c(), c()]).not.toEqual(first);
    for (const n of first) expect(n >>> 0).toBe(n);
  });

  it('a torn word clears part of the bits the program clears: never the old word, never the new one', () => {
    for (let seed = 0; seed < 200; seed++) {
      const old = 0xffffffff;
      const data = 0x210102c1;
      const torn = tornWord(old, data, seededWords(seed));
      expect(torn).not.toBe(old);
      expect(torn).not.toBe(data);
      // Only bits the program clears are cleared: every 1 of data is still 1.
      expect((torn & data) >>> 0).toBe(data);
      expect((torn & old) >>> 0).toBe(torn);
    }
  });

  it('a torn word over programmed bits never sets one (NOR programming only clears)', () => {
    const torn = tornWord(0x0000ffff, 0x12345678, seededWords(9));
    expect((torn & ~0x0000ffff) >>> 0).toBe(0);
    // Nothing to clear: the word stays.
    expect(tornWord(0x12345678, 0xffffffff, seededWords(1))).toBe(0x12345678);
  });

  it('a partial erase only sets bits, leaves the sector neither erased nor as it was, and is the same for the same seed', () => {
    const old = Buffer.alloc(4096);
    for (let i = 0; i < old.length; i++) old[i] = (i * 7) & 0x7f;
    const modes = new Set<string>();
    for (let seed = 0; seed < 50; seed++) {
      const out = erasePartial(old, seededWords(seed));
      expect(out.equals(erasePartial(old, seededWords(seed)))).toBe(true);
      expect(out.equals(old)).toBe(false);
      expect(out.equals(Buffer.alloc(4096, 0xff))).toBe(false);
      expect(old.findIndex((b, i) => (out[i]! & b) !== b)).toBe(-1);
      modes.add(out[0] === 0xff && out[4095] === old[4095] ? 'sequential' : 'whole');
    }
    expect(modes).toEqual(new Set(['sequential', 'whole']));
  });
});
