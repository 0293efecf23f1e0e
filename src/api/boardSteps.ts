import { z } from 'zod';
import { CaseFailure, RigError } from '../core/errors.js';
import { formatDuration } from '../core/duration.js';
import { cutAfter } from '../steps/CutStep.js';
import { requireProbe } from '../steps/FlashStep.js';
import { defineStep } from '../steps/Step.js';
import { shownPattern, type ConsoleLines, type ConsoleMatch } from './ConsoleLines.js';

/*
 * The steps only a `Board` runs: what a call from code does that a scenario line does not (a console line matched
 * from a cursor, bytes read back). Their arguments come parsed from the Board's own calls, so their schemas check
 * nothing; the scenario steps (steps/) do the rest.
 */

/** `console.send` and `console.write`: the bytes as given, recorded and fed to the model as SENT. */
export const writeStep = defineStep({
  key: 'send',
  description: 'write to the console',
  schema: z.custom<{ data: Buffer; shown: string }>(),
  timeoutMs: () => 5_000,
  describe: (args) => `send ${args.shown}`,
  run: (args, ctx) => ctx.send(args.data),
});

/** `console.expect`: the next line matching a pattern, from the cursor on. */
export const expectStep = defineStep({
  key: 'expect',
  description: 'wait for a console line matching a pattern',
  schema: z.custom<{ regex: RegExp; lines: ConsoleLines; timeoutMs: number; found?: ConsoleMatch; tail(): string[] }>(),
  timeoutMs: (args) => args.timeoutMs,
  describe: (args) => `expect ${shownPattern(args.regex)}`,
  async run(args, ctx) {
    args.found = await args.lines.next(args.regex, {
      timeoutMs: args.timeoutMs,
      signal: ctx.signal,
      onTimeout: () =>
        new CaseFailure(`console.expect: no line matched ${shownPattern(args.regex)} within ${formatDuration(args.timeoutMs)}`, {
          lastLines: args.tail(),
        }),
    });
  },
});

/** `cut({ on })`: power off a while after the next console line that matches. */
export const cutOnLineStep = defineStep({
  key: 'cut',
  description: 'cut power after a console line',
  schema: z.custom<{ regex: RegExp; lines: ConsoleLines; afterMs: number; withinMs: number }>(),
  timeoutMs: (args) => args.withinMs + args.afterMs + 10_000,
  describe: (args) => `cut power ${args.afterMs}ms after ${shownPattern(args.regex)}`,
  async run(args, ctx) {
    const line = await args.lines.next(args.regex, {
      timeoutMs: args.withinMs,
      signal: ctx.signal,
      onTimeout: () => new CaseFailure(`cut: no line matched ${shownPattern(args.regex)} within ${formatDuration(args.withinMs)}`),
    });
    await cutAfter(ctx, { anchor: `pattern ${shownPattern(args.regex)}`, anchorAt: line.t, after: args.afterMs });
  },
});

/** `read`: bytes through the probe. */
export const readStep = defineStep({
  key: 'read',
  description: 'read memory through the probe',
  schema: z.custom<{ address: number; length: number; shown: string; data?: Buffer }>(),
  timeoutMs: () => 60_000,
  describe: (args) => `read ${args.length} bytes at ${args.shown}`,
  async run(args, ctx) {
    args.data = await requireProbe(ctx).read(args.address, args.length, { signal: ctx.signal });
    ctx.timeline.record('inspect', { address: args.address, bytes: args.data.subarray(0, 64).toString('hex') });
  },
});

/** Bytes to read through the probe: an address, or an offset in a layout region (its whole size by default). */
export type ReadTarget = { address: number; length: number } | { region: string; offset?: number; length?: number };

/** The address and length a `read` covers: a region's offset checked against its size. */
export function readRange(
  rig: string,
  regions: Readonly<Record<string, { address: number; size: number }>>,
  target: ReadTarget,
): { address: number; length: number; shown: string } {
  if (!('region' in target)) return { ...target, shown: `0x${target.address.toString(16)}` };
  const region = regions[target.region];
  if (!region) throw new RigError('probe', `rig ${rig} has no region "${target.region}"`);
  const offset = target.offset ?? 0;
  const length = target.length ?? region.size - offset;
  if (offset < 0 || length < 0 || offset + length > region.size)
    throw new RigError('probe', `rig ${rig}: ${length} bytes at offset 0x${offset.toString(16)} run past region "${target.region}"`);
  return { address: region.address + offset, length, shown: `${target.region}+0x${offset.toString(16)}` };
}
