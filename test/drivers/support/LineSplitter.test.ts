import { describe, it, expect } from '@jest/globals';
import type { ConsoleLine, ConsoleSegment } from '../../../src/protocols/Console.js';
import { LineSplitter } from '../../../src/drivers/support/LineSplitter.js';

function run(chunks: Array<string | Buffer>, options?: { maxLine?: number; encoding?: 'utf8' | 'latin1' }, flush?: 'flush' | 'final') {
  const lines: ConsoleLine[] = [];
  const segments: ConsoleSegment[] = [];
  /** Lines and segments in the order they came: `L:text` and `S:text` (`S~` a redraw, `P:` a partial). */
  const order: string[] = [];
  const splitter = new LineSplitter(
    {
      line: (line) => (lines.push(line), order.push(`L:${line.text}`)),
      segment: (s) => (segments.push(s), order.push(`${s.partial ? 'P' : 'S'}${s.redraw ? '~' : ':'}${s.text}`)),
    },
    options,
  );
  chunks.forEach((chunk, i) => splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk, i));
  if (flush) splitter.flush(chunks.length, flush === 'final');
  return { lines, segments, order };
}

function split(chunks: Array<string | Buffer>, options?: { maxLine?: number; encoding?: 'utf8' | 'latin1' }, flush = false): ConsoleLine[] {
  return run(chunks, options, flush ? 'flush' : undefined).lines;
}

/** The complete (not partial) segments' texts. */
function complete(segments: ConsoleSegment[]): string[] {
  return segments.filter((s) => !s.partial).map((s) => s.text);
}

describe('LineSplitter', () => {
  it('gives the same lines, segments and bytes whatever the chunking', () => {
    const stream = 'MCUboot\r\nNo valid image\n\r\nCopying 10%\rCopying 20%\r\n[INF] psoc\n\r[INF] next\n\r\r[BOOT] [  ]\r[BOOT] [+ ]\r\n';
    const whole = run([stream]);
    expect(whole.lines.map((l) => l.text)).toEqual([
      'MCUboot',
      'No valid image',
      '',
      'Copying 10%\rCopying 20%',
      '[INF] psoc',
      '[INF] next',
      '[BOOT] [  ]\r[BOOT] [+ ]',
    ]);
    expect(complete(whole.segments)).toEqual([
      'MCUboot',
      'No valid image',
      'Copying 10%',
      'Copying 20%',
      '[INF] psoc',
      '[INF] next',
      '[BOOT] [  ]',
      '[BOOT] [+ ]',
    ]);
    expect(Buffer.concat(whole.lines.map((l) => l.raw)).toString('latin1')).toBe(stream);
    const same = (r: ReturnType<typeof run>) => {
      expect(r.lines.map((l) => l.text)).toEqual(whole.lines.map((l) => l.text));
      expect(complete(r.segments)).toEqual(complete(whole.segments));
      expect(r.segments.filter((s) => !s.partial).map((s) => s.redraw ?? false)).toEqual(whole.segments.map((s) => s.redraw ?? false));
      expect(Buffer.concat(r.lines.map((l) => l.raw)).toString('latin1')).toBe(stream);
    };
    for (let cut = 1; cut < stream.length; cut++) same(run([stream.slice(0, cut), stream.slice(cut)]));
    same(run([...stream]));
  });

  it('ends a line at \\n\\r without an empty line after it, and keeps the \\r with it when it came in the same read', () => {
    const lines = split(['[INF] MCUboot Bootloader Started\n\r[INF] No Upgrade available !\n\r\n\r']);
    expect(lines.map((l) => [l.text, l.raw.toString()])).toEqual([
      ['[INF] MCUboot Bootloader Started', '[INF] MCUboot Bootloader Started\n\r'],
      ['[INF] No Upgrade available !', '[INF] No Upgrade available !\n\r'],
      ['', '\n\r'],
    ]);
  });

  it('hands over each \\r redraw as a segment when its \\r arrives, and the whole line when it ends', () => {
    const { order, lines } = run(['\r[BOOT] [   ]\r[BOOT] [+  ]', '\r[BOOT] [++ ]', '\r[BOOT] [+++]\r\n']);
    expect(order).toEqual([
      'S:[BOOT] [   ]',
      'P~[BOOT] [+  ]',
      'S~[BOOT] [+  ]',
      'P~[BOOT] [++ ]',
      'S~[BOOT] [++ ]',
      'S~[BOOT] [+++]',
      'L:[BOOT] [   ]\r[BOOT] [+  ]\r[BOOT] [++ ]\r[BOOT] [+++]',
    ]);
    expect(lines[0]!.raw.toString()).toBe('\r[BOOT] [   ]\r[BOOT] [+  ]\r[BOOT] [++ ]\r[BOOT] [+++]\r\n');
  });

  it('offers the open tail after each read: a prompt with no line ending', () => {
    const { order, segments } = run(['U-Boot 2023.01\n=', '> ', 'version\r\n']);
    expect(order).toEqual(['S:U-Boot 2023.01', 'L:U-Boot 2023.01', 'P:=', 'P:=> ', 'S:=> version', 'L:=> version']);
    expect(segments.filter((s) => s.partial).map((s) => s.t)).toEqual([0, 1]);
  });

  it('keeps bare \\r bytes at a flush for the next line, and writes them out at the final one', () => {
    const kept = run(['done\n', '\r'], {}, 'flush');
    expect(kept.lines.map((l) => l.raw.toString())).toEqual(['done\n']);
    const final = run(['done\n', '\r'], {}, 'final');
    expect(final.lines.map((l) => [l.text, l.raw.toString()])).toEqual([
      ['done', 'done\n'],
      ['', '\r'],
    ]);
    expect(run(['done\n', '\rnext'], {}, 'flush').lines.map((l) => [l.text, l.raw.toString()])).toEqual([
      ['done', 'done\n'],
      ['next', '\rnext'],
    ]);
  });

  it('bounds a line of endless redraws with no line ending', () => {
    const { lines } = run([Buffer.from('\r|\r/\r-\r\\'.repeat(100))], { maxLine: 64 });
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) expect(l.raw.length).toBeLessThanOrEqual(64);
    expect(lines.every((l) => l.truncated)).toBe(true);
  });

  it('stamps a line and its segment with the time its newline arrived', () => {
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
