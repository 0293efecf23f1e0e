import { describe, it, expect } from '@jest/globals';
import type { ConsoleLine } from '../../../src/protocols/Console.js';
import { LineSplitter } from '../../../src/drivers/support/LineSplitter.js';

function split(chunks: Array<string | Buffer>, options?: { maxLine?: number; encoding?: 'utf8' | 'latin1' }, flush = false): ConsoleLine[] {
  const lines: ConsoleLine[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), options);
  chunks.forEach((chunk, i) => splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk, i));
  if (flush) splitter.flush(chunks.length);
  return lines;
}

describe('LineSplitter', () => {
  it('gives the same lines and raw bytes whatever the chunking', () => {
    const stream = 'MCUboot\r\nNo valid image\n\r\nCopying 10%\rCopying 20%\r\n';
    const whole = split([stream]);
    expect(whole.map((l) => l.text)).toEqual(['MCUboot', 'No valid image', '', 'Copying 10%Copying 20%']);
    expect(Buffer.concat(whole.map((l) => l.raw)).toString('latin1')).toBe(stream);
    for (let cut = 1; cut < stream.length; cut++) {
      const parts = split([stream.slice(0, cut), stream.slice(cut)]);
      expect(parts.map((l) => [l.text, l.raw.toString('latin1')])).toEqual(whole.map((l) => [l.text, l.raw.toString('latin1')]));
    }
    const byteByByte = split([...stream]);
    expect(byteByByte.map((l) => l.text)).toEqual(whole.map((l) => l.text));
  });

  it('stamps a line with the time its newline arrived', () => {
    const lines = split(['Boot', 'ing\nA\nB', '\n']);
    expect(lines.map((l) => [l.text, l.t])).toEqual([
      ['Booting', 1],
      ['A', 1],
      ['B', 2],
    ]);
  });

  it('keeps invalid UTF-8 and NUL bytes exactly in raw and decodes them visibly in text', () => {
    const bytes = Buffer.from([0x41, 0x00, 0xff, 0xfe, 0xc3, 0x0d, 0x0a]);
    const [line] = split([bytes]);
    expect(line!.raw.equals(bytes)).toBe(true);
    expect(line!.text).toBe('A\u0000\ufffd\ufffd\ufffd');
  });

  it('decodes a multi-byte character split across chunks', () => {
    const euro = Buffer.from('€ ok\n', 'utf8');
    expect(split([euro.subarray(0, 1), euro.subarray(1, 2), euro.subarray(2)]).map((l) => l.text)).toEqual(['€ ok']);
  });

  it('cuts a line with no newline at the maximum length and marks it truncated', () => {
    const lines = split(['abcdefghij', 'kl\nxyz\n'], { maxLine: 4 });
    expect(lines.map((l) => [l.text, l.truncated ?? false])).toEqual([
      ['abcd', true],
      ['efgh', true],
      ['ijkl', false],
      ['xyz', false],
    ]);
    expect(Buffer.concat(lines.map((l) => l.raw)).toString()).toBe('abcdefghijkl\nxyz\n');
  });

  it('flushes a partial last line without inventing a line ending', () => {
    const lines = split(['done\nCopying fac'], {}, true);
    expect(lines.map((l) => [l.text, l.raw.toString()])).toEqual([
      ['done', 'done\n'],
      ['Copying fac', 'Copying fac'],
    ]);
    expect(split(['done\n'], {}, true)).toHaveLength(1);
  });

  it('decodes latin1 when asked', () => {
    expect(split([Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x0a])], { encoding: 'latin1' })[0]!.text).toBe('Grüß');
  });
});
