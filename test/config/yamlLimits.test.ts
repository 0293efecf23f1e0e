import { describe, expect, it } from '@jest/globals';
import { parseWithinLimits } from '../../src/config/yamlLimits.js';

const depthOf = (text: string, limit: number) => {
  const r = parseWithinLimits(text, () => {}, { depth: limit, tokens: 1_000_000 });
  return Array.isArray(r) ? r : r.offset;
};

describe('parseWithinLimits', () => {
  it('accepts nesting up to the limit, flow and block alike', () => {
    expect(depthOf('a: [[1]]', 3)).toEqual(expect.any(Array));
    expect(depthOf('a:\n  b:\n    - 1', 3)).toEqual(expect.any(Array));
  });

  it('gives the offset of the first collection past the limit', () => {
    expect(depthOf('a: [[[1]]]', 3)).toBe(5);
    expect(depthOf('a:\n  b:\n    - c:\n        d: 1', 3)).toBe(14);
    // Mixed: a block map holding a flow list holding a flow map.
    expect(depthOf('a:\n  b: [{c: 1}]', 3)).toBe(9);
  });

  it('does not count brackets inside quoted scalars or comments', () => {
    expect(depthOf(`a: '[[[[[['\nb: "{{{{{{" # [[[[[[`, 2)).toEqual(expect.any(Array));
  });

  it('stops early on 200,000 nested [ (the CST parser alone would take seconds)', () => {
    const started = Date.now();
    expect(depthOf(`a: ${'['.repeat(200_000)}`, 64)).toBe(3 + 64);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('stops at the first token past the count, naming its offset', () => {
    const r = parseWithinLimits(`a: [${'1,'.repeat(100)}]`, () => {}, { depth: 64, tokens: 10 });
    // a, :, space, [, then 1 and , three times: the 11th token is the fourth 1, at offset 10.
    expect(r).toEqual({ offset: 10, message: expect.stringMatching(/^more than 10 tokens/) });
    expect(parseWithinLimits('a: [1, 2]', () => {}, { depth: 64, tokens: 10 })).toEqual(expect.any(Array));
  });
});
