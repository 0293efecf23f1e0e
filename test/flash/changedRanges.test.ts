import { describe, expect, it } from '@jest/globals';
import { changedRanges } from '../../src/flash/changedRanges.js';

describe('changedRanges', () => {
  const erased = () => Buffer.alloc(1024 * 1024, 0xff);

  it('finds nothing between equal states', () => {
    expect(changedRanges(erased(), erased())).toEqual([]);
  });

  it('names the 4 KiB chunk of a changed word, and joins neighbouring chunks', () => {
    const next = erased();
    next.writeUInt32LE(0x12345678, 0x10004);
    expect(changedRanges(erased(), next)).toEqual([{ offset: 0x10000, length: 0x1000 }]);
    next.writeUInt32LE(0, 0x11ffc);
    next.writeUInt32LE(0, 0x40000);
    expect(changedRanges(erased(), next)).toEqual([
      { offset: 0x10000, length: 0x2000 },
      { offset: 0x40000, length: 0x1000 },
    ]);
  });

  it('covers what runs past the end of a shorter state', () => {
    const now = Buffer.alloc(0x1800, 0xff);
    const next = Buffer.alloc(0x3000, 0xff);
    expect(changedRanges(now, next)).toEqual([{ offset: 0x1000, length: 0x2000 }]);
  });

  it('writing the ranges of next over now makes now equal next', () => {
    const now = erased();
    const next = erased();
    for (let i = 0; i < 50; i++) next.writeUInt32LE(i, ((i * 7919) % 0x3fff) * 64);
    for (const r of changedRanges(now, next)) next.copy(now, r.offset, r.offset, r.offset + r.length);
    expect(now.equals(next)).toBe(true);
  });
});
