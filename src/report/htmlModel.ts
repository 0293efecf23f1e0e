import type { Coverage } from '../expect/Expectation.js';
import { escapeHtml } from './htmlText.js';

const BOX_W = 130;
const BOX_H = 26;
const GAP_X = 20;
const GAP_Y = 34;
/** A wider layer wraps onto more rows, so a model with many states stays readable at page width. */
const PER_ROW = 6;

/**
 * The expectation model as a layered state diagram (breadth-first from the initial state), visited states
 * filled, the state the case failed in outlined in red. Transitions written at the model's root (`*`, e.g.
 * POWER_OFF from anywhere) are listed under the drawing instead of drawn from every state.
 */
export function renderModel(coverage: Coverage | undefined, failedIn: string | undefined): string {
  if (!coverage?.states.length) return '<p class="muted">no expectation model recorded</p>';
  const names = [...coverage.states];
  for (const t of coverage.transitions) for (const s of [t.from, t.to]) if (s !== '*' && !names.includes(s)) names.push(s);
  if (failedIn && !names.includes(failedIn)) names.push(failedIn);
  const edges = coverage.transitions.filter((t) => t.from !== '*' && t.to !== t.from);

  // A compound state leads to its children (`bootloader` to `bootloader.copying`) for layering, without an arrow.
  const next = (from: string) => [
    ...edges.filter((e) => e.from === from).map((e) => e.to),
    ...names.filter((n) => n.startsWith(`${from}.`) && !n.slice(from.length + 1).includes('.')),
  ];
  const layer = new Map<string, number>([[names[0]!, 0]]);
  const queue = [names[0]!];
  while (queue.length) {
    const from = queue.shift()!;
    for (const to of next(from)) {
      if (!layer.has(to)) {
        layer.set(to, layer.get(from)! + 1);
        queue.push(to);
      }
    }
  }
  const deepest = Math.max(...layer.values());
  for (const n of names) if (!layer.has(n)) layer.set(n, deepest + 1);
  const byLayer: string[][] = [];
  for (const n of names) (byLayer[layer.get(n)!] ??= []).push(n);
  const layers = byLayer
    .filter(Boolean)
    .flatMap((row) => Array.from({ length: Math.ceil(row.length / PER_ROW) }, (_, k) => row.slice(k * PER_ROW, (k + 1) * PER_ROW)));

  const widest = Math.max(...layers.map((l) => l.length));
  const width = widest * (BOX_W + GAP_X) + GAP_X;
  const pos = new Map<string, { x: number; y: number }>();
  layers.forEach((row, i) => {
    const offset = (width - row.length * (BOX_W + GAP_X) + GAP_X) / 2;
    row.forEach((n, j) => pos.set(n, { x: offset + j * (BOX_W + GAP_X), y: 10 + i * (BOX_H + GAP_Y) }));
  });
  const height = 10 + layers.length * (BOX_H + GAP_Y);
  const visited = new Set(coverage.visited);

  const parts: string[] = [
    '<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" class="arrow"/></marker></defs>',
  ];
  for (const e of edges) {
    const a = pos.get(e.from)!;
    const b = pos.get(e.to)!;
    const [x1, y1] = [a.x + BOX_W / 2, a.y + BOX_H];
    const [x2, y2] = b.y > a.y ? [b.x + BOX_W / 2, b.y] : [b.x + BOX_W / 2, b.y + BOX_H];
    const bend = b.y > a.y ? '' : ` Q ${Math.max(x1, x2) + 60} ${(y1 + y2) / 2}`;
    parts.push(
      `<path class="edge${e.count ? ' taken' : ''}" d="M ${x1} ${y1}${bend} ${x2} ${y2}" marker-end="url(#arrow)"><title>${escapeHtml(e.from)} —${escapeHtml(e.event)}${e.when ? ` [${escapeHtml(e.when)}]` : ''}→ ${escapeHtml(e.to)} (taken ${e.count}×)</title></path>`,
    );
  }
  for (const n of names) {
    const p = pos.get(n)!;
    const cls = ['state', visited.has(n) ? 'visited' : '', n.startsWith('fail') ? 'fail-state' : '', n === failedIn ? 'failed-in' : '']
      .filter(Boolean)
      .join(' ');
    parts.push(
      `<g class="${cls}" data-state="${escapeHtml(n)}"><rect x="${p.x}" y="${p.y}" width="${BOX_W}" height="${BOX_H}" rx="6"/><text x="${p.x + BOX_W / 2}" y="${p.y + 17}" text-anchor="middle">${escapeHtml(n.length > 18 ? `${n.slice(0, 17)}…` : n)}</text><title>${escapeHtml(n)}${visited.has(n) ? ' (visited)' : ''}${n === failedIn ? ' (failed here)' : ''}</title></g>`,
    );
  }
  const global = coverage.transitions.filter((t) => t.from === '*');
  const legend = global.length
    ? `<p class="muted">from any state: ${global.map((t) => `${escapeHtml(t.event)} → ${escapeHtml(t.to)}`).join(', ')}</p>`
    : '';
  return `<svg class="model" viewBox="0 0 ${width} ${height}" width="${Math.min(width, 1000)}" role="img" aria-label="expectation model">${parts.join('')}</svg>${legend}`;
}
