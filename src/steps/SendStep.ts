import { z } from 'zod';
import { defineStep } from './Step.js';

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '0': '\0', '\\': '\\' };

/** Decodes `\r`, `\n`, `\t`, `\0`, `\\` and `\xHH` so raw bytes can be written in YAML single quotes too. */
function decodeEscapes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      const next = text[i + 1]!;
      if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
        bytes.push(parseInt(text.slice(i + 2, i + 4), 16));
        i += 3;
        continue;
      }
      if (ESCAPES[next] !== undefined) {
        bytes.push(ESCAPES[next]!.charCodeAt(0));
        i += 1;
        continue;
      }
    }
    bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes);
}

/**
 * `send: reset` writes the line and a carriage return, as a terminal does;
 * `send: { raw: '\x03' }` writes bytes as given (stop U-Boot's autoboot, Ctrl-C);
 * `send: { line: 'reset', eol: '\n' }` picks the line ending.
 */
export const sendStep = defineStep({
  key: 'send',
  example: `- send: version
- send: { line: reset, eol: '\\r\\n' }
- send: { raw: '\\x03' }`,
  description: 'write a line or raw bytes to the console',
  schema: z.union([
    z
      .string()
      .transform((line) => ({ data: Buffer.from(`${line}\r`, 'utf8'), shown: line }))
      .describe('a line of text, then a carriage return (\\r), as a terminal sends Enter'),
    z
      .strictObject({
        line: z.string().describe('the text'),
        eol: z.string().default('\\r').describe('what follows it, with escapes (`\\r\\n`, `\\n`, or `` for nothing)'),
      })
      .transform((v) => ({
        data: Buffer.concat([Buffer.from(v.line, 'utf8'), decodeEscapes(v.eol)]),
        shown: v.line,
      })),
    z
      .strictObject({ raw: z.string().describe('bytes as written, with escapes (`\\x03` is Ctrl-C); nothing is appended') })
      .transform((v) => ({ data: decodeEscapes(v.raw), shown: JSON.stringify(v.raw) })),
  ]),
  timeoutMs: () => 5_000,
  describe: (args) => `send ${args.shown}`,
  run: (args, ctx) => ctx.send(args.data),
});
