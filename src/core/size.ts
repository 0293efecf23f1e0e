import { z } from 'zod';

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };
/** `16K`, `128 KiB`, `96 KB`, `1M`, `0x400`, `4096`: memory sizes are binary, whatever the suffix spelling. */
const SIZE = /^\s*(0x[0-9a-f]+|\d+)\s*(?:([KMG])(?:i?B)?)?\s*$/i;

/** Parses a size or address; undefined when it is not one. */
function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = SIZE.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]) * UNITS[(m[2] ?? '').toUpperCase()]!;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A zod field for a size or address written as a number, hex, or with a K/M/G suffix; titled for the reference docs. */
export const size = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const n = parseSize(value);
    if (n === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a size or address such as 0x8000, 32K or 1M, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return n;
  })
  .meta({ title: 'size' });

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** `32 KiB`, `2 MiB`, `2015 KiB`, `1000 bytes`: exact, in the largest unit that divides the size. */
export function formatSize(n: number): string {
  for (const [unit, factor] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (n >= factor && n % factor === 0) return `${n / factor} ${unit}`;
  }
  return `${n} bytes`;
}
