import type { CaseResult } from './CaseResult.js';
import { escapeHtml } from './htmlText.js';

const WIDTH = 900;
const LEFT = 60;
const RIGHT = 20;
const BAND_TOP = 24;
const STATUSES = ['pass', 'fail', 'error', 'skipped'] as const;
const ROW_H = 34;
/** Beyond this many distinct values the table groups neighbouring values with the same outcome into ranges. */
const TABLE_VALUES = 30;
/** Light fills for the model state a cut landed in, in the model's own order of states. */
const PALETTE = ['#cfe3ff', '#ffe2b8', '#d9f2d0', '#f3d4f5', '#fff3a8', '#d4f0f0', '#f8d0d0', '#e0dcff', '#e8e8c8', '#ffd8e8'];

/** `20ms`, `1.5s`, `553`: a duration in ms or a plain number; anything else (a tamper kind) is a category. */
function numeric(value: string): number | undefined {
  const m = /^(-?\d+(?:\.\d+)?)(us|ms|s|m)?$/.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n;
}

interface Point {
  c: CaseResult;
  value: string;
  x: number;
  cut: string;
}

/**
 * The state the case's cut landed in: in a multi-cut case, the cut whose hit the parameter sweeps (`hit2`: the
 * second), else the first; `no cut` when it made none.
 */
const cutState = (c: CaseResult, key: string) =>
  (c.cuts?.find((k) => k.sweep === key) ?? c.cuts?.[0])?.state ?? c.properties['cut_state'] ?? 'no cut';

/** ` (cuts in copying, then copying)`: every cut of a case that made more than one. */
const allCuts = (c: CaseResult) => (c.cuts && c.cuts.length > 1 ? ` (cuts in ${c.cuts.map((k) => k.state).join(', then ')})` : '');

/**
 * Each scenario's sweep: for every parameter that takes more than one value, the outcome of each case against
 * it (a point per case, linking to the case's page) over bands coloured by the model state the cut landed in,
 * and beside it a table of passes and failures per value. Where the colours change the copy reached another
 * state; where the red points start is where the firmware breaks.
 */
export function renderSweeps(cases: readonly CaseResult[], href: (c: CaseResult) => string | undefined): string {
  const out: string[] = [];
  for (const scenario of [...new Set(cases.map((c) => c.scenario))]) {
    const own = cases.filter((c) => c.scenario === scenario);
    const keys = [...new Set(own.flatMap((c) => Object.keys(c.params)))];
    for (const key of keys) {
      const values = new Set(own.map((c) => c.params[key]).filter((v) => v !== undefined));
      if (values.size > 1)
        out.push(
          renderSweep(
            scenario,
            key,
            own.filter((c) => c.params[key] !== undefined),
            href,
          ),
        );
    }
  }
  return out.join('\n');
}

function renderSweep(scenario: string, key: string, cases: readonly CaseResult[], href: (c: CaseResult) => string | undefined): string {
  const raw = cases.map((c) => c.params[key]!);
  const isNumeric = raw.every((v) => numeric(v) !== undefined);
  const categories = [...new Set(raw)];
  const points: Point[] = cases
    .map((c) => ({
      c,
      value: c.params[key]!,
      x: isNumeric ? numeric(c.params[key]!)! : categories.indexOf(c.params[key]!),
      cut: cutState(c, key),
    }))
    .sort((a, b) => a.x - b.x);
  const lo = isNumeric ? points[0]!.x : -0.5;
  const hi = isNumeric ? points.at(-1)!.x : categories.length - 0.5;
  const span = hi - lo || 1;
  const pad = isNumeric ? 12 : 0;
  const px = (v: number) => LEFT + pad + ((v - lo) / span) * (WIDTH - LEFT - RIGHT - 2 * pad);
  const statuses = STATUSES.filter((s) => s !== 'skipped' || points.some((p) => p.c.status === 'skipped'));
  const rowY = (s: CaseResult['status']) => BAND_TOP + 28 + statuses.indexOf(s) * ROW_H;
  const bottom = BAND_TOP + 28 + statuses.length * ROW_H - 10;
  const height = bottom + 34;

  // Colours by the model's order of states, so `copying` has one colour in every sweep of the scenario.
  const order = cases.find((c) => c.coverage)?.coverage?.states ?? [];
  const cutStates = [...new Set(points.map((p) => p.cut))].sort((a, b) => rankOf(order, a) - rankOf(order, b));
  const colour = (s: string) =>
    s === 'no cut' ? '#f2f2f2' : PALETTE[cutStates.filter((x) => x !== 'no cut').indexOf(s) % PALETTE.length]!;

  // Bands: each point owns the x range halfway to its neighbours; neighbours cut in the same state merge.
  const bands: Array<{ from: number; to: number; state: string }> = [];
  points.forEach((p, i) => {
    const from = i === 0 ? LEFT : (px(points[i - 1]!.x) + px(p.x)) / 2;
    const to = i === points.length - 1 ? WIDTH - RIGHT : (px(p.x) + px(points[i + 1]!.x)) / 2;
    const last = bands.at(-1);
    if (last && last.state === p.cut) last.to = to;
    else bands.push({ from, to, state: p.cut });
  });
  const parts: string[] = [];
  for (const b of bands) {
    parts.push(
      `<rect class="band" data-state="${escapeHtml(b.state)}" x="${f(b.from)}" y="${BAND_TOP}" width="${f(Math.max(b.to - b.from, 0.5))}" height="${bottom - BAND_TOP}" fill="${colour(b.state)}"><title>cut in ${escapeHtml(b.state)}</title></rect>`,
    );
  }
  for (const s of statuses) {
    parts.push(
      `<text class="row" x="4" y="${rowY(s) + 4}">${s}</text><line class="axis" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${rowY(s)}" y2="${rowY(s)}"/>`,
    );
  }
  // Points at the same value and outcome (repeats, another swept parameter) stack a little apart.
  const stacked = new Map<string, number>();
  for (const p of points) {
    const slot = `${p.x}|${p.c.status}`;
    const k = stacked.get(slot) ?? 0;
    stacked.set(slot, k + 1);
    const cy = rowY(p.c.status) + (((k % 5) + 1) >> 1) * (k % 2 ? -5 : 5);
    const link = href(p.c);
    // The message is in the cases table and on the case's page: a 500-point plot stays small without it.
    const title = `${p.c.id}: ${p.c.status.toUpperCase()}, cut in ${p.cut}${allCuts(p.c)}`;
    const dot = `<circle class="point ${p.c.status}" data-case="${escapeHtml(p.c.id)}" cx="${f(px(p.x))}" cy="${cy}" r="5"><title>${escapeHtml(title)}</title></circle>`;
    parts.push(link ? `<a href="${escapeHtml(link)}">${dot}</a>` : dot);
  }
  parts.push(axis(isNumeric, lo, hi, categories, px, bottom, key, raw));
  return `<section class="sweep" data-scenario="${escapeHtml(scenario)}" data-param="${escapeHtml(key)}">
<h3>${escapeHtml(scenario)}: outcome by ${escapeHtml(key)} (${points.length} cases)</h3>
<div class="sweep-body"><div class="sweep-plot">
<svg class="sweep-plot" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="outcome by ${escapeHtml(key)}"><text class="band-label" x="${LEFT}" y="${BAND_TOP - 8}">model state at the cut:</text>${bandLegend(cutStates, colour)}${parts.join('')}</svg>
<p class="muted">Each point is a case (click it to open the case); the background is the model state its power cut landed in.</p>
</div>
${sweepTable(points, isNumeric, key, href)}
</div>
</section>`;
}

function bandLegend(states: string[], colour: (s: string) => string): string {
  let x = LEFT + 170;
  return states
    .map((s) => {
      const item = `<rect x="${f(x)}" y="${BAND_TOP - 18}" width="12" height="12" fill="${colour(s)}" class="band-key"/><text x="${f(x + 16)}" y="${BAND_TOP - 8}">${escapeHtml(s)}</text>`;
      x += 16 + s.length * 7 + 14;
      return item;
    })
    .join('');
}

/** Where a state comes in the model (a state inside another right after it); `no cut` first. */
function rankOf(order: readonly string[], state: string): number {
  if (state === 'no cut') return -1;
  const i = order.indexOf(state);
  return i >= 0 ? i : order.length;
}

function axis(
  isNumeric: boolean,
  lo: number,
  hi: number,
  categories: string[],
  px: (v: number) => number,
  bottom: number,
  key: string,
  raw: string[],
): string {
  const labels: string[] = [`<line class="axis" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${bottom}" y2="${bottom}"/>`];
  if (!isNumeric) {
    const every = Math.ceil(categories.length / 12);
    categories.forEach((c, i) => {
      if (i % every === 0)
        labels.push(`<text class="tick" x="${f(px(i))}" y="${bottom + 16}" text-anchor="middle">${escapeHtml(c)}</text>`);
    });
  } else {
    const unit = raw.some((v) => /[a-z]$/i.test(v)) ? 'ms' : '';
    const span = hi - lo || 1;
    const rough = span / 8;
    const mag = 10 ** Math.floor(Math.log10(rough || 1));
    const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= rough) ?? 10 * mag;
    for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) {
      const text = unit ? (v >= 1000 ? `${+(v / 1000).toFixed(3)}s` : `${+v.toFixed(3)}ms`) : `${+v.toFixed(3)}`;
      labels.push(`<text class="tick" x="${f(px(v))}" y="${bottom + 16}" text-anchor="middle">${text}</text>`);
    }
  }
  labels.push(`<text class="axis-label" x="${WIDTH - RIGHT}" y="${bottom + 30}" text-anchor="end">${escapeHtml(key)}</text>`);
  return labels.join('');
}

/** Passes and failures per value; with many values, neighbouring values with the same outcome as one range. */
function sweepTable(points: readonly Point[], isNumeric: boolean, key: string, href: (c: CaseResult) => string | undefined): string {
  const byValue = new Map<string, Point[]>();
  for (const p of points) (byValue.get(p.value) ?? byValue.set(p.value, []).get(p.value)!).push(p);
  const rows = [...byValue].map(([value, ps]) => {
    const n = (s: CaseResult['status']) => ps.filter((p) => p.c.status === s).length;
    return {
      from: value,
      to: value,
      pass: n('pass'),
      fail: n('fail'),
      error: n('error'),
      cut: [...new Set(ps.map((p) => p.cut))].join(', '),
      first: ps[0]!.c,
      count: 1,
    };
  });
  const grouped: typeof rows = [];
  if (isNumeric && rows.length > TABLE_VALUES) {
    for (const r of rows) {
      const last = grouped.at(-1);
      const outcome = (x: typeof r) => `${x.pass > 0}|${x.fail > 0}|${x.error > 0}|${x.cut}`;
      if (last && outcome(last) === outcome(r)) {
        last.to = r.to;
        last.pass += r.pass;
        last.fail += r.fail;
        last.error += r.error;
        last.count++;
      } else grouped.push({ ...r });
    }
  } else grouped.push(...rows);
  const body = grouped
    .map((r) => {
      const link = href(r.first);
      const label = r.count > 1 ? `${r.from} – ${r.to} (${r.count} values)` : r.from;
      const cls = r.fail || r.error ? 'status-fail' : 'status-pass';
      return `<tr class="${cls}"><td>${link ? `<a href="${escapeHtml(link)}">${escapeHtml(label)}</a>` : escapeHtml(label)}</td><td class="n">${r.pass}</td><td class="n">${r.fail}</td><td class="n">${r.error}</td><td>${escapeHtml(r.cut)}</td></tr>`;
    })
    .join('');
  return `<table class="sweep-table"><thead><tr><th>${escapeHtml(key)}</th><th>pass</th><th>fail</th><th>error</th><th>cut in</th></tr></thead><tbody>${body}</tbody></table>`;
}

const f = (n: number) => (Math.round(n * 10) / 10).toString();
