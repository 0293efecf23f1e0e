import { paint } from '../output.js';
import { bytes, clock, rate, seconds, stepTime } from './format.js';
import type { FlashProgress, RunTracker } from './RunTracker.js';

const BAR = 20;

/**
 * The lines a terminal redraws in place under the run's output, while it runs: per case under way its number,
 * id, rig and time, its step and the step's time, a flash under way as a bar with bytes and rate, with `-v` its
 * last console lines; then the run's elapsed time, counts and ETA.
 */
export function liveBlock(tracker: RunTracker, options: { verbose: boolean; color: boolean }): string[] {
  const { color } = options;
  const now = tracker.now();
  const lines: string[] = [];
  for (const a of [...tracker.active.values()].sort((x, y) => x.index - y.index)) {
    lines.push(
      `${paint('bold', `[${a.index}/${tracker.total}]`, color)} ${a.id} on ${a.rig}  ${paint('cyan', seconds(now - a.startedAt), color)}`,
    );
    if (a.step) lines.push(paint('gray', `  step ${a.step.index + 1}: ${a.step.description}  ${stepTime(now - a.step.startedAt)}`, color));
    if (a.flash && a.flash.percent < 100) lines.push(`  ${flashBar(a.flash, color)}`);
    if (options.verbose) for (const l of a.lines) lines.push(paint('gray', `  | ${l}`, color));
  }
  lines.push(footer(tracker, color));
  return lines;
}

function footer(tracker: RunTracker, color: boolean): string {
  const { pass, fail, error, skipped } = tracker.counts;
  const eta = tracker.eta();
  const counts = [
    `${pass} passed`,
    fail ? paint('red', `${fail} failed`, color) : '',
    error ? paint('yellow', `${error} errors`, color) : '',
    skipped ? `${skipped} skipped` : '',
  ].filter(Boolean);
  return (
    paint('bold', `${tracker.ended}/${tracker.total} done`, color) +
    ` (${counts.join(', ')})  elapsed ${clock(tracker.elapsed())}  ETA ${eta === undefined ? '--:--' : clock(eta)}`
  );
}

function flashBar(f: FlashProgress, color: boolean): string {
  const filled = Math.round((f.percent / 100) * BAR);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}`;
  const amount = f.bytes !== undefined && f.total !== undefined ? `  ${bytes(f.bytes)} of ${bytes(f.total)}` : '';
  const speed = f.bytes ? rate(f.bytes, f.ms) : undefined;
  return `${f.phase}${f.image ? ` ${f.image}` : ''} ${paint('cyan', bar, color)} ${String(Math.round(f.percent)).padStart(3)}%${amount}${speed ? `  ${speed}` : ''}`;
}

const SGR = /(\u001b\[[0-9;]*m)/;

/** Cuts a line to the terminal's width (escapes take no room), so each takes one row and a redraw counts right. */
export function fit(line: string, width: number): string {
  let shown = 0;
  let out = '';
  let cut = false;
  for (const part of line.split(SGR)) {
    if (SGR.test(part)) {
      out += part;
      continue;
    }
    const chars = [...part];
    const room = Math.max(0, width - shown);
    if (chars.length > room) cut = true;
    out += chars.slice(0, room).join('');
    shown += Math.min(room, chars.length);
  }
  return cut && out.includes('\u001b[') ? `${out}\u001b[0m` : out;
}
