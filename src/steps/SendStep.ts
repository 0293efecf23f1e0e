import { z } from 'zod';
import { duration } from '../core/duration.js';
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

const pacing = {
  /** A pattern name: wait until the console printed a match since the last power, button, reset or send. */
  after: z
    .string()
    .min(1)
    .optional()
    .describe('a pattern name: write once a line or prompt matched it since the last power, button, reset or send'),
  /** Pause between characters: a board polling its UART (U-Boot checking for Ctrl-C) loses keys typed ahead. */
  charDelay: duration.optional().describe('pause between bytes (U-Boot loses keys typed while it polls for Ctrl-C)'),
};

/**
 * `send: version` writes the text and a carriage return (`\r`), as a terminal's Enter does;
 * `send: { line: version, eol: '\n' }` picks the line ending (`''` for none);
 * `send: { raw: '\x03' }` writes bytes as given (Ctrl-C), nothing appended.
 * Either mapping takes `after: PROMPT` (write once the console showed PROMPT since the last step that acted on
 * the board: the prompt after the previous command) and `charDelay: 5ms` (one character at a time).
 */
export const sendStep = defineStep({
  key: 'send',
  example: `- send: version
- send: { line: reset, eol: '\\r\\n' }
- send: { raw: '\\x03' }
- send: { line: 'md.l 0x04000000 4', after: PROMPT, charDelay: 2ms }`,
  description: 'write a line or raw bytes to the console, after a prompt, paced',
  schema: z.union([
    z
      .string()
      .transform((line) => ({ data: Buffer.from(`${line}\r`, 'utf8'), shown: line, ...paced({}) }))
      .describe('a line of text, then a carriage return (\\r), as a terminal sends Enter'),
    z
      .strictObject({
        line: z.string().describe('the text'),
        eol: z.string().default('\\r').describe('what follows it, with escapes (`\\r\\n`, `\\n`, or `` for nothing)'),
        ...pacing,
      })
      .transform((v) => ({
        data: Buffer.concat([Buffer.from(v.line, 'utf8'), decodeEscapes(v.eol)]),
        shown: v.line,
        ...paced(v),
      })),
    z
      .strictObject({ raw: z.string().describe('bytes as written, with escapes (`\\x03` is Ctrl-C); nothing is appended'), ...pacing })
      .transform((v) => ({ data: decodeEscapes(v.raw), shown: JSON.stringify(v.raw), ...paced(v) })),
  ]),
  references: (args) => (args.after ? { patterns: [args.after] } : {}),
  // Waiting for a prompt waits for the board's previous command; pacing adds its delay per byte.
  timeoutMs: (args) => (args.after ? 30_000 : 5_000) + args.charDelayMs * args.data.length,
  describe: (args) => `send ${args.shown}${args.after ? ` after ${args.after}` : ''}`,
  async run(args, ctx) {
    const typing = args.charDelayMs * args.data.length;
    if (args.after) await ctx.expect.waitForMatch(args.after, { timeoutMs: Math.max(0, ctx.timeoutMs - typing), signal: ctx.signal });
    await ctx.send(args.data, { charDelayMs: args.charDelayMs, signal: ctx.signal });
  },
});

function paced(v: { after?: string; charDelay?: number }): { after?: string; charDelayMs: number } {
  return v.after ? { after: v.after, charDelayMs: v.charDelay ?? 0 } : { charDelayMs: v.charDelay ?? 0 };
}
