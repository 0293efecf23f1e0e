import { escapeHtml } from './htmlText.js';
import type { TimelineEvent } from '../core/Timeline.js';

const WIDTH = 1000;
const LEFT = 70;
const RIGHT = 10;
const ROWS = ['power', 'cut', 'steps', 'console', 'model'] as const;
const ROW_H = 26;

/** When the case's power cuts were issued (case clock, ms), from its timeline. */
export function cutTimes(events: readonly TimelineEvent[]): Array<{ t: number; state: string; anchor: string }> {
  return events.flatMap((e) =>
    e.type === 'cut' && e.phase !== 'armed'
      ? [{ t: typeof e.issuedAt === 'number' ? e.issuedAt : e.t, state: String(e.state), anchor: String(e.anchor) }]
      : [],
  );
}

/**
 * One time axis for a case: power bands, cut markers, steps, console lines and model transitions, as inline
 * SVG. Each mark carries its time (`data-t`, and `data-t2` for a band) so the page's script can zoom: drag
 * across the chart to zoom in, the buttons to zoom out, to the cut, or back to the whole case. The axis spans
 * the case's own events, so a case's length sets the scale. Each mark carries its text in a <title> (escaped).
 */
export function renderTimeline(events: TimelineEvent[]): string {
  if (!events.length) return '<p class="muted">no timeline recorded</p>';
  const end = Math.max(...events.map((e) => e.t), 1);
  const x = (t: number) => f(LEFT + (t / end) * (WIDTH - LEFT - RIGHT));
  const y = (row: (typeof ROWS)[number]) => 18 + ROWS.indexOf(row) * ROW_H;
  const parts: string[] = [];
  ROWS.forEach((row) =>
    parts.push(
      `<text x="4" y="${y(row) + 4}" class="row">${row}</text>`,
      `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(row)}" y2="${y(row)}" class="axis"/>`,
    ),
  );
  const marks: string[] = [];
  let onSince: number | undefined;
  const band = (from: number, to: number) =>
    marks.push(
      `<rect class="power-on" data-t="${from}" data-t2="${to}" x="${x(from)}" y="${y('power') - 7}" width="${f(Math.max(Number(x(to)) - Number(x(from)), 1))}" height="14"><title>power on ${ms(from)} – ${ms(to)}</title></rect>`,
    );
  for (const e of events) {
    if (e.type === 'power') {
      if (e.state === 'on' && onSince === undefined) onSince = e.t;
      if (e.state === 'off' && onSince !== undefined) {
        band(onSince, e.t);
        onSince = undefined;
      }
    } else if (e.type === 'step' && e.phase === 'start') {
      marks.push(
        `<circle class="step" data-t="${e.t}" cx="${x(e.t)}" cy="${y('steps')}" r="4"><title>${ms(e.t)} step ${Number(e.index) + 1}: ${escapeHtml(e.description ?? e.key)}</title></circle>`,
      );
    } else if (e.type === 'line') {
      marks.push(
        `<line class="line" data-t="${e.t}" x1="${x(e.t)}" x2="${x(e.t)}" y1="${y('console') - 7}" y2="${y('console') + 7}"><title>${ms(e.t)} ${escapeHtml(e.text)}</title></line>`,
      );
    } else if (e.type === 'model') {
      const failed = String(e.to ?? '').startsWith('fail');
      marks.push(
        `<rect class="${failed ? 'model-fail' : 'model'}" data-t="${e.t}" x="${x(e.t)}" y="${y('model') - 6}" width="6" height="12"><title>${ms(e.t)} ${escapeHtml(e.from ?? '')} —${escapeHtml(e.event)}→ ${escapeHtml(e.to)}</title></rect>`,
      );
    }
  }
  if (onSince !== undefined) band(onSince, end);
  // Cuts last: drawn over everything else.
  for (const cut of cutTimes(events)) {
    marks.push(
      `<g class="cut" data-t="${cut.t}"><line x1="${x(cut.t)}" x2="${x(cut.t)}" y1="8" y2="${y('model') + 10}"/><text class="cut-label" x="${x(cut.t)}" y="${y('cut') + 4}" text-anchor="middle">✂</text><title>power cut at ${ms(cut.t)} in state ${escapeHtml(cut.state)} (${escapeHtml(cut.anchor)})</title></g>`,
    );
  }
  const height = y('model') + 30;
  const hasCut = marks.some((m) => m.startsWith('<g class="cut"'));
  return `<div class="timeline-wrap" data-end="${end}" data-left="${LEFT}" data-right="${WIDTH - RIGHT}">
<p class="timeline-tools"><button type="button" class="tl-out">zoom out</button> <button type="button" class="tl-all">whole case</button>${hasCut ? ' <button type="button" class="tl-cut">around the cut</button>' : ''} <span class="tl-range muted">${ms(0)} – ${ms(end)}</span> <span class="muted">· drag across the chart to zoom in</span></p>
<svg class="timeline" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="case timeline">${parts.join('')}<g class="ticks" transform="translate(0 ${y('model') + 24})">${ticks(0, end)}</g><svg class="tl-marks" x="${LEFT}" width="${WIDTH - LEFT - RIGHT}" overflow="hidden"><g transform="translate(${-LEFT} 0)">${marks.join('')}</g></svg><rect class="tl-brush" x="0" y="0" width="0" height="${height}" visibility="hidden"/></svg>
</div>`;
}

/** Tick labels at round times; the page's script draws the same ones for a zoomed range. */
function ticks(from: number, to: number): string {
  const span = to - from;
  const raw = span / 8;
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: string[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to + 1e-9; t += step) {
    out.push(`<text class="tick" x="${f(LEFT + ((t - from) / span) * (WIDTH - LEFT - RIGHT))}" text-anchor="middle">${ms(t)}</text>`);
  }
  return out.join('');
}

export function ms(t: number): string {
  return t >= 1000 ? `${(t / 1000).toFixed(3)}s` : `${Math.round(t * 10) / 10}ms`;
}

const f = (n: number) => (Math.round(n * 10) / 10).toString();
