import { describe, expect, it } from '@jest/globals';
import { parseWithinDepth } from '../../src/config/yamlDepth.js';

const depthOf = (text: string, limit: number) => parseWithinDepth(text, () => {}, limit);

describe('parseWithinDepth', () => {
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
});
