import { describe, expect, it } from '@jest/globals';
import { LineAssembler } from '../../src/virtual/LineAssembler.js';

describe('LineAssembler', () => {
  it('splits on newlines across chunks, strips \\r from the text and keeps the raw bytes', () => {
    const a = new LineAssembler();
    expect(a.push(Buffer.from('boo'))).toEqual([]);
    const lines = a.push(Buffer.from('t 1\r\ntick\r\n\npart'));
    expect(lines.map((l) => l.text)).toEqual(['boot 1', 'tick', '']);
    expect(lines.map((l) => l.raw.toString('latin1'))).toEqual(['boot 1\r\n', 'tick\r\n', '\n']);
    expect(a.flush()).toEqual({ text: 'part', raw: Buffer.from('part') });
    expect(a.flush()).toBeUndefined();
  });

  it('keeps garbage bytes raw and cuts a line with no newline at the maximum length', () => {
    const a = new LineAssembler(8);
    const lines = a.push(Buffer.from([0xff, 0x00, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x42, 0x0a]));
    expect(lines).toHaveLength(2);
    expect(lines[0]!.truncated).toBe(true);
    expect(lines[0]!.raw).toEqual(Buffer.from([0xff, 0x00, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41]));
    expect(lines[1]).toEqual({ text: 'B', raw: Buffer.from('B\n') });
  });
});
