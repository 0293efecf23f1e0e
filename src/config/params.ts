import { z } from 'zod';
import { formatDuration, parseDuration } from '../core/duration.js';
import { seededRandom } from '../core/seededRandom.js';

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/** `{ from: 0ms, to: 400ms, step: 10ms }`: every point from `from` to `to` inclusive. */
const range = z.strictObject({
  from: z.union([z.string(), z.number()]),
  to: z.union([z.string(), z.number()]),
  step: z.union([z.string(), z.number()]),
});

/** `{ random: 50, seed: 7, within: [0ms, 400ms] }`: reproducible random points. */
const random = z.strictObject({
  random: z.number().int().positive().max(100_000),
  seed: z.number().int().default(1),
  within: z.tuple([z.union([z.string(), z.number()]), z.union([z.string(), z.number()])]),
});

export const paramSchema = z.union([
  scalar.transform((v) => [v]),
  z.array(scalar).min(1),
  z.strictObject({ sweep: z.array(scalar).min(1) }).transform((v) => v.sweep),
  range.transform((v, ctx) => expandRange(v, ctx)),
  random.transform((v, ctx) => expandRandom(v, ctx)),
]);

/** Numbers keep their unit: a range written in ms yields `10ms`, one written in plain numbers yields `10`. */
function asQuantity(value: string | number): { n: number; duration: boolean } | undefined {
  if (typeof value === 'number') return { n: value, duration: false };
  if (/^\s*-?\d+(\.\d+)?\s*$/.test(value)) return { n: Number(value), duration: false };
  const ms = parseDuration(value);
  return ms === undefined ? undefined : { n: ms, duration: true };
}

function render(n: number, duration: boolean): string {
  const rounded = Math.round(n * 1000) / 1000;
  return duration ? formatDuration(rounded) : String(rounded);
}

function expandRange(v: z.infer<typeof range>, ctx: z.RefinementCtx): string[] {
  const from = asQuantity(v.from);
  const to = asQuantity(v.to);
  const step = asQuantity(v.step);
  if (!from || !to || !step || step.n <= 0 || to.n < from.n) {
    ctx.addIssue({ code: 'custom', message: 'a range needs from <= to and step > 0, all numbers or all durations such as 10ms' });
    return [];
  }
  const count = Math.floor((to.n - from.n) / step.n + 1e-9) + 1;
  if (count > 100_000) {
    ctx.addIssue({ code: 'custom', message: `a range of ${count} points is too many (limit 100000)` });
    return [];
  }
  const duration = from.duration || to.duration || step.duration;
  return Array.from({ length: count }, (_, i) => render(from.n + i * step.n, duration));
}

function expandRandom(v: z.infer<typeof random>, ctx: z.RefinementCtx): string[] {
  const lo = asQuantity(v.within[0]);
  const hi = asQuantity(v.within[1]);
  if (!lo || !hi || hi.n < lo.n) {
    ctx.addIssue({ code: 'custom', message: 'within needs [low, high] with low <= high, numbers or durations such as 400ms' });
    return [];
  }
  const next = seededRandom(v.seed);
  const duration = lo.duration || hi.duration;
  // Whole milliseconds (or integers): a replayed point must be exactly the point that failed.
  const points = new Set<string>();
  for (let i = 0; i < v.random; i++) points.add(render(Math.round(lo.n + next() * (hi.n - lo.n)), duration));
  return [...points];
}

/** More cases than this is a typo or a misunderstanding, never a plan: at 0.5 s a case it is already 14 hours. */
const MAX_CASES = 100_000;

/**
 * Why `lists` (one list of values per parameter) make too many cases, counted as a product without building
 * them; undefined when they do not.
 */
export function tooManyCases(lists: Record<string, readonly string[]>, repeat = 1): string | undefined {
  const factors = Object.values(lists).map((l) => l.length);
  if (repeat > 1) factors.push(repeat);
  const count = factors.reduce((n, f) => n * BigInt(f), 1n);
  if (count <= BigInt(MAX_CASES)) return undefined;
  const how = Object.entries(lists)
    .map(([k, l]) => `${l.length} ${k}`)
    .concat(repeat > 1 ? [`${repeat} repeats`] : []);
  return `${count} cases (${how.join(' x ')}); the limit is ${MAX_CASES}: sweep fewer points, or split the scenario`;
}

const PLACEHOLDER = /\$\{([A-Za-z_][\w-]*)\}/g;

/** Names of the `${param}` placeholders used anywhere in `value`. */
export function placeholders(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') for (const m of value.matchAll(PLACEHOLDER)) found.add(m[1]!);
  else if (Array.isArray(value)) value.forEach((v) => placeholders(v, found));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => placeholders(v, found));
  return found;
}

/** Replaces `${param}` in every string of `value`. */
export function substitute(value: unknown, params: Record<string, string>): unknown {
  if (typeof value === 'string') return value.replace(PLACEHOLDER, (whole, name: string) => params[name] ?? whole);
  if (Array.isArray(value)) return value.map((v) => substitute(v, params));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, params)]));
  }
  return value;
}
