import { escapeHtml } from './htmlText.js';
import type { TimelineEvent } from '../core/Timeline.js';

const WIDTH = 1000;
const LEFT = 70;
const ROWS = ['power', 'cut', 'steps', 'console', 'model'] as const;
const ROW_H = 26;

/**
 * One time axis for a case: power bands, cut markers, steps, console lines and model transitions, as inline
 * SVG. Each mark carries its text in a <title> (escaped), so hovering tells what happened when.
 */
export function renderTimeline(events: TimelineEvent[]): string {
  if (!events.length) return '<p class="muted">no timeline recorded</p>';
  const end = Math.max(...events.map((e) => e.t), 1);
  const x = (t: number) => (LEFT + (t / end) * (WIDTH - LEFT - 10)).toFixed(1);
  const y = (row: (typeof ROWS)[number]) => 18 + ROWS.indexOf(row) * ROW_H;
  const parts: string[] = [];
  ROWS.forEach((row) =>
    parts.push(
      `<text x="4" y="${y(row) + 4}" class="row">${row}</text>`,
      `<line x1="${LEFT}" x2="${WIDTH - 10}" y1="${y(row)}" y2="${y(row)}" class="axis"/>`,
    ),
  );

  let onSince: number | undefined;
  const band = (from: number, to: number) =>
    parts.push(
      `<rect class="power-on" x="${x(from)}" y="${y('power') - 7}" width="${Math.max(Number(x(to)) - Number(x(from)), 1).toFixed(1)}" height="14"><title>power on ${ms(from)} – ${ms(to)}</title></rect>`,
    );
  for (const e of events) {
    if (e.type === 'power') {
      if (e.state === 'on' && onSince === undefined) onSince = e.t;
      if (e.state === 'off' && onSince !== undefined) {
        band(onSince, e.t);
        onSince = undefined;
      }
    } else if (e.type === 'cut' && e.phase !== 'armed') {
      const at = typeof e.issuedAt === 'number' ? e.issuedAt : e.t;
      parts.push(
        `<line class="cut" x1="${x(at)}" x2="${x(at)}" y1="8" y2="${y('model') + 10}"><title>cut at ${ms(at)} in state ${escapeHtml(e.state)}</title></line>`,
      );
      parts.push(`<text class="cut-label" x="${x(at)}" y="${y('cut') + 4}">✂</text>`);
    } else if (e.type === 'step' && e.phase === 'start') {
      parts.push(
        `<circle class="step" cx="${x(e.t)}" cy="${y('steps')}" r="4"><title>${ms(e.t)} step ${Number(e.index) + 1}: ${escapeHtml(e.description ?? e.key)}</title></circle>`,
      );
    } else if (e.type === 'line') {
      parts.push(
        `<line class="line" x1="${x(e.t)}" x2="${x(e.t)}" y1="${y('console') - 7}" y2="${y('console') + 7}"><title>${ms(e.t)} ${escapeHtml(e.text)}</title></line>`,
      );
    } else if (e.type === 'model') {
      const failed = String(e.to ?? '').startsWith('fail');
      parts.push(
        `<rect class="${failed ? 'model-fail' : 'model'}" x="${x(e.t)}" y="${y('model') - 6}" width="6" height="12"><title>${ms(e.t)} ${escapeHtml(e.from ?? '')} —${escapeHtml(e.event)}→ ${escapeHtml(e.to)}</title></rect>`,
      );
    }
  }
  if (onSince !== undefined) band(onSince, end);
  parts.push(
    `<text x="${LEFT}" y="${y('model') + 24}" class="tick">0</text><text x="${WIDTH - 10}" y="${y('model') + 24}" class="tick" text-anchor="end">${ms(end)}</text>`,
  );
  const height = y('model') + 30;
  return `<svg class="timeline" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="case timeline">${parts.join('')}</svg>`;
}

function ms(t: number): string {
  return t >= 1000 ? `${(t / 1000).toFixed(3)}s` : `${Math.round(t)}ms`;
}
