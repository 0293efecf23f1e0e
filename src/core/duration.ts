import { z } from 'zod';

const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|m|min|h)\s*$/;

/** Node's timers cap at 2^31-1 ms (about 24.8 days); a longer delay fires at once, so it is refused instead. */
const MAX_DURATION_MS = 2_147_483_647;

function unboundedDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = DURATION.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** Parses `120ms`, `5s`, `1.5s`, `2m`; a bare number is milliseconds. Returns undefined when it is not a duration or too long for a timer. */
export function parseDuration(value: unknown): number | undefined {
  const ms = unboundedDuration(value);
  return ms !== undefined && ms <= MAX_DURATION_MS ? ms : undefined;
}

export function formatDuration(ms: number): string {
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** A zod duration field that yields milliseconds; its title names the type in the generated reference docs. */
export const duration = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const ms = unboundedDuration(value);
    if (ms === undefined && /^\s*-/.test(String(value))) {
      ctx.addIssue({ code: 'custom', message: `a duration cannot be negative: got ${JSON.stringify(value)} (write one such as 120ms)` });
      return z.NEVER;
    }
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration such as 120ms, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    if (ms > MAX_DURATION_MS) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is too long: a duration is at most 596h (${MAX_DURATION_MS}ms)` });
      return z.NEVER;
    }
    return ms;
  })
  .meta({ title: 'duration' });
