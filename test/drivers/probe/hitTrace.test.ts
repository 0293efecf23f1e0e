import { describe, expect, it } from '@jest/globals';
import { HitTrace } from '../../../src/drivers/probe/hitTrace.js';

/** Registers as the trace keeps them: sp, lr, r0 (the address), r1..r3. */
const call = (address: number, value = 0) => [0x20001ff0, 0x21000123, address, value, 0, 0];

describe('HitTrace', () => {
  it('offers the latest known hit before the one asked for, reached by the word it programs', () => {
    const trace = new HitTrace();
    for (let hit = 1; hit <= 10; hit++) trace.record(hit, call(0x21010000 + 4 * (hit - 1)));
    expect(trace.waypoint(8)).toEqual({ hit: 7, address: 0x21010018 });
    expect(trace.waypoint(300)).toEqual({ hit: 10, address: 0x21010024 });
  });

  it('only after an unbroken run of known hits from hit 1: a gap hides which call uses which word', () => {
    const trace = new HitTrace();
    for (const hit of [1, 2, 3, 4, 5, 7, 8, 9]) trace.record(hit, call(0x21010000 + 4 * hit));
    expect(trace.waypoint(9)?.hit).toBe(5);
  });

  it('never a hit whose word an earlier call used (its first access would be the earlier call)', () => {
    const trace = new HitTrace();
    const words = [0x100, 0x104, 0x108, 0x10c, 0x110, 0x104, 0x114];
    words.forEach((w, i) => trace.record(i + 1, call(0x21010000 + w)));
    expect(trace.waypoint(7)?.hit).toBe(5);
    expect(trace.waypoint(8)?.hit).toBe(7);
  });

  it('the word, not the byte: a call given an unaligned address watches its whole word', () => {
    const trace = new HitTrace();
    for (let hit = 1; hit <= 5; hit++) trace.record(hit, call(0x21010000 + 4 * hit + 2));
    expect(trace.waypoint(6)?.address).toBe(0x21010014);
  });

  it('none when counting from the start costs no more than the watchpoint would', () => {
    const trace = new HitTrace();
    for (let hit = 1; hit <= 3; hit++) trace.record(hit, call(0x21010000 + 4 * hit));
    expect(trace.waypoint(4)).toBeUndefined();
    expect(new HitTrace().waypoint(100)).toBeUndefined();
  });

  it('never a hit that programs all ones: the word does not change, so a write watchpoint never reports it', () => {
    const trace = new HitTrace();
    for (let hit = 1; hit <= 6; hit++) trace.record(hit, call(0x21010000 + 4 * hit, hit === 6 ? 0xffffffff : hit));
    expect(trace.waypoint(7)?.hit).toBe(5);
  });

  it('a hit seen again with other registers is another call: record says so', () => {
    const trace = new HitTrace();
    expect(trace.record(3, call(0x21010008, 1))).toBe(true);
    expect(trace.record(3, call(0x21010008, 1))).toBe(true);
    expect(trace.record(3, call(0x2101000c, 1))).toBe(false);
  });
});
