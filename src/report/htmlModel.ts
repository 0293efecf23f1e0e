import dagreModule from '@dagrejs/dagre';
import type { Coverage } from '../expect/Expectation.js';
import { escapeHtml } from './htmlText.js';

/**
 * The part of dagre used here. Its published types import their own files without extensions, which NodeNext
 * resolution cannot follow (everything would be `any`), so the calls are typed here.
 */
interface DagreEdge {
  v: string;
  w: string;
  name?: string;
}
interface DagreGraph {
  setGraph(label: Record<string, number | string>): void;
  setNode(name: string, label: Record<string, number>): void;
  setParent(child: string, parent: string): void;
  setEdge(v: string, w: string, label: Record<string, number | string>, name: string): void;
  node(name: string): { x: number; y: number; width: number; height: number };
  edges(): DagreEdge[];
  edge(e: DagreEdge): { x?: number; y?: number; points?: Array<{ x: number; y: number }> };
  graph(): { width?: number; height?: number };
}
const dagre = dagreModule as unknown as {
  graphlib: { Graph: new (options: { compound: boolean; multigraph: boolean }) => DagreGraph };
  layout(g: DagreGraph): void;
};

/** Diagram text is monospace so a label's width is known here, without a browser: every name fits its box. */
const CHAR_W = 7.3;
const LABEL_CHAR_W = 6.7;
const NODE_H = 26;
const EXIT_H = 15;
const PAD = 12;
const CLUSTER_LABEL_H = 18;

/** What to mark on the diagram: counts per state (a case's are 0 or 1, a run's add up its cases). */
export interface ModelMarks {
  visited: ReadonlyMap<string, number>;
  /** Power cuts that landed in a state (or a state inside it). */
  cuts: ReadonlyMap<string, number>;
  /** Fail states entered (`fail.no-banner`). */
  failed: ReadonlyMap<string, number>;
  /** The state a case ended in (not a failure by itself: a case may end in a success state and fail a later check). */
  endedIn?: string;
  /** Times each transition (by its index in the model) was taken. */
  taken: readonly number[];
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A transition listed inside its state's box: an exit to a fail state, or one that stays (`to` is undefined). */
interface Exit {
  index: number;
  label: string;
  to?: string;
}

interface ModelLayout {
  width: number;
  height: number;
  leaves: Map<string, Box & { exits: Exit[] }>;
  clusters: Map<string, Box>;
  edges: Array<{ index: number; label: string; points: Array<{ x: number; y: number }>; labelAt: { x: number; y: number } }>;
  failStates: Map<string, Box & { from: string[] }>;
  /** Transitions written at the model's root (`*`): from any state. */
  global: Array<{ index: number; label: string; to: string }>;
}

const isFail = (state: string, states: ReadonlySet<string>) => !states.has(state) && (state === 'fail' || state.startsWith('fail.'));
const transitionLabel = (t: { event: string; when?: string }) => (t.when ? `${t.event} [${t.when}]` : t.event);

/**
 * The transitions drawn off the flow: those written at the root (`*`, from any state); exits to fail states,
 * listed in their state's box (`exits`) with the states each fail state is reached from (`failFrom`); and
 * self-loops, listed first in their box.
 */
function transitionsOffTheFlow(
  coverage: Coverage,
  states: ReadonlySet<string>,
  leafOf: (state: string) => string,
): { exits: Map<string, Exit[]>; failFrom: Map<string, string[]>; global: ModelLayout['global'] } {
  const exits = new Map<string, Exit[]>();
  const failFrom = new Map<string, string[]>();
  const global: ModelLayout['global'] = [];
  coverage.transitions.forEach((t, index) => {
    if (t.from === '*') global.push({ index, label: transitionLabel(t), to: t.to });
    else if (isFail(t.to, states)) {
      const from = leafOf(t.from);
      (exits.get(from) ?? exits.set(from, []).get(from)!).push({ index, label: transitionLabel(t), to: t.to });
      (failFrom.get(t.to) ?? failFrom.set(t.to, []).get(t.to)!).push(t.from);
    } else if (t.to === t.from && states.has(t.from)) {
      // A self-loop (a progress line restarting a limit) reads better as a line in the box than as a curl.
      const from = leafOf(t.from);
      (exits.get(from) ?? exits.set(from, []).get(from)!).unshift({ index, label: transitionLabel(t) });
    }
  });
  return { exits, failFrom, global };
}

/**
 * Lays the model out with dagre (top to bottom, compound states as clusters, events and guards on the edges).
 * Fail states are not placed in the flow: each state lists its exits to fail states inside its box, and the
 * fail states stand apart in a column on the right, so no edge to a fail state crosses the main flow.
 */
function layoutModel(coverage: Coverage): ModelLayout {
  const states = new Set(coverage.states);
  const children = (s: string) => coverage.states.filter((c) => c.startsWith(`${s}.`) && !c.slice(s.length + 1).includes('.'));
  const isCluster = (s: string) => children(s).length > 0;
  // dagre draws no edge to a cluster: an edge to or from a compound state goes to its first state (its initial, as models are written).
  const leafOf = (s: string): string => (isCluster(s) ? leafOf(children(s)[0]!) : s);
  const parentOf = (s: string) => {
    const at = s.lastIndexOf('.');
    return at > 0 && states.has(s.slice(0, at)) ? s.slice(0, at) : undefined;
  };

  const { exits, failFrom, global } = transitionsOffTheFlow(coverage, states, leafOf);
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 34, edgesep: 12, marginx: 8, marginy: 8 });
  const nodeWidth = (s: string) =>
    Math.max(
      s.length * CHAR_W + 2 * PAD,
      ...(exits.get(s) ?? []).map((e) => (e.label.length + (e.to?.length ?? 0) + 3) * LABEL_CHAR_W + 2 * PAD),
    );
  for (const s of coverage.states) {
    if (isCluster(s)) g.setNode(s, { paddingTop: CLUSTER_LABEL_H });
    else g.setNode(s, { width: nodeWidth(s), height: NODE_H + (exits.get(s)?.length ?? 0) * EXIT_H });
  }
  for (const s of coverage.states) {
    const parent = parentOf(s);
    if (parent) g.setParent(s, parent);
  }
  coverage.transitions.forEach((t, index) => {
    if (t.from === '*' || t.from === t.to || !states.has(t.from) || !states.has(t.to)) return;
    const label = transitionLabel(t);
    g.setEdge(leafOf(t.from), leafOf(t.to), { width: label.length * LABEL_CHAR_W + 6, height: 14, labelpos: 'c' }, String(index));
  });
  dagre.layout(g);

  const box = (n: { x: number; y: number; width: number; height: number }): Box => ({
    x: n.x - n.width / 2,
    y: n.y - n.height / 2,
    width: n.width,
    height: n.height,
  });
  const leaves = new Map<string, Box & { exits: Exit[] }>();
  const clusters = new Map<string, Box>();
  for (const s of coverage.states) {
    const n = g.node(s);
    if (isCluster(s)) {
      // Room above the cluster's first rank for its name.
      const b = box(n);
      clusters.set(s, { ...b, y: b.y - CLUSTER_LABEL_H, height: b.height + CLUSTER_LABEL_H });
    } else leaves.set(s, { ...box(n), exits: exits.get(s) ?? [] });
  }
  const edges = g.edges().map((e) => {
    const label = g.edge(e);
    const index = Number(e.name);
    return {
      index,
      label: transitionLabel(coverage.transitions[index]!),
      points: label.points ?? [],
      labelAt: { x: label.x ?? 0, y: label.y ?? 0 },
    };
  });
  // A cluster's name sits above its first rank: move everything down when that reaches past the top.
  const shift = -Math.min(0, ...[...clusters.values()].map((c) => c.y - 4));
  for (const b of [...leaves.values(), ...clusters.values()]) b.y += shift;
  for (const e of edges) {
    e.labelAt.y += shift;
    e.points = e.points.map((p) => ({ x: p.x, y: p.y + shift }));
  }
  let width = g.graph().width ?? 0;
  const failStates = new Map<string, Box & { from: string[] }>();
  const failX = width + 40;
  let failY = 30;
  for (const [name, from] of failFrom) {
    failStates.set(name, { x: failX, y: failY, width: name.length * CHAR_W + 2 * PAD, height: NODE_H, from });
    failY += NODE_H + 10;
  }
  if (failStates.size) width = failX + Math.max(...[...failStates.values()].map((b) => b.width)) + 8;
  const height = Math.max((g.graph().height ?? 0) + shift, failY) + 8;
  return { width, height, leaves, clusters, edges, failStates, global };
}

/** One layout per model: a run's cases share their scenario's model, so a 500-case sweep lays it out once. */
const layouts = new Map<string, ModelLayout>();

function cachedLayout(coverage: Coverage): ModelLayout {
  const key = JSON.stringify([coverage.states, coverage.transitions.map((t) => [t.from, t.event, t.to, t.when])]);
  let layout = layouts.get(key);
  if (!layout) {
    if (layouts.size > 32) layouts.clear();
    layouts.set(key, (layout = layoutModel(coverage)));
  }
  return layout;
}

/** A case's marks: what it visited, where its cuts landed, the fail state it entered, the state it ended in. */
export function caseMarks(coverage: Coverage, cutStates: readonly string[], endedIn: string | undefined): ModelMarks {
  const count = (names: readonly string[]) => {
    const m = new Map<string, number>();
    for (const n of names) m.set(n, (m.get(n) ?? 0) + 1);
    return m;
  };
  const states = new Set(coverage.states);
  const failed = coverage.transitions.filter((t) => t.count > 0 && isFail(t.to, states)).map((t) => t.to);
  return {
    visited: count(coverage.visited),
    cuts: count(cutStates),
    failed: count(failed),
    ...(endedIn ? { endedIn } : {}),
    taken: coverage.transitions.map((t) => t.count),
  };
}

/** Marks summed over cases (the run's diagram on the index): each state's count is a count of cases. */
export function sumMarks(all: readonly ModelMarks[], transitions: number): ModelMarks {
  const add = (pick: (m: ModelMarks) => ReadonlyMap<string, number>, perCase: boolean) => {
    const sum = new Map<string, number>();
    for (const m of all) for (const [k, v] of pick(m)) sum.set(k, (sum.get(k) ?? 0) + (perCase ? 1 : v));
    return sum;
  };
  const taken = Array.from({ length: transitions }, (_, i) => all.filter((m) => (m.taken[i] ?? 0) > 0).length);
  return { visited: add((m) => m.visited, true), cuts: add((m) => m.cuts, false), failed: add((m) => m.failed, true), taken };
}

const within = (state: string, of: string) => state === of || state.startsWith(`${of}.`);

/** Cuts that landed in `state` or a state inside it. */
function cutsIn(state: string, cuts: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const [s, c] of cuts) if (within(s, state)) n += c;
  return n;
}

const LEGEND = `<p class="model-legend"><span class="key visited"></span> visited <span class="key unvisited"></span> not visited <span class="key cut"></span> power cut here (✂ count) <span class="key ended"></span> case ended here <span class="key failed"></span> fail state entered <span class="key fail-state"></span> fail state (exits listed in red in each state)</p>`;

/**
 * The expectation model as a state diagram. `plural` says the counts are cases of a run (the index) rather than
 * one case's.
 */
export function renderModel(coverage: Coverage | undefined, marks: ModelMarks | undefined, plural = false): string {
  if (!coverage?.states.length) return '<p class="muted">no expectation model recorded</p>';
  const layout = cachedLayout(coverage);
  const m: ModelMarks = marks ?? { visited: new Map(), cuts: new Map(), failed: new Map(), taken: [] };
  const times = (n: number, what: string) => (plural ? ` (${what} in ${n} case${n === 1 ? '' : 's'})` : ` (${what})`);
  const parts: string[] = [
    '<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" class="arrow"/></marker></defs>',
  ];
  for (const [name, c] of layout.clusters) {
    const visited = m.visited.get(name) ?? 0;
    const cuts = cutsIn(name, m.cuts);
    const cls = ['cluster', visited ? 'visited' : '', cuts ? 'cut' : ''].filter(Boolean).join(' ');
    parts.push(
      `<g class="${cls}" data-state="${escapeHtml(name)}"><rect x="${f(c.x)}" y="${f(c.y)}" width="${f(c.width)}" height="${f(c.height)}" rx="8"/><text class="state-name" x="${f(c.x + 8)}" y="${f(c.y + 13)}">${escapeHtml(name)}</text><title>${escapeHtml(name)}${visited ? times(visited, 'visited') : ''}${cuts ? times(cuts, 'cut') : ''}</title></g>`,
    );
  }
  for (const e of layout.edges) {
    const n = m.taken[e.index] ?? 0;
    const t = coverage.transitions[e.index]!;
    const d = e.points.length ? `M ${e.points.map((p) => `${f(p.x)} ${f(p.y)}`).join(' L ')}` : '';
    parts.push(
      `<g class="edge${n ? ' taken' : ''}" data-event="${escapeHtml(t.event)}"><path d="${d}" marker-end="url(#arrow)"/><text class="edge-label" x="${f(e.labelAt.x)}" y="${f(e.labelAt.y + 4)}" text-anchor="middle">${escapeHtml(e.label)}</text><title>${escapeHtml(t.from)} —${escapeHtml(e.label)}→ ${escapeHtml(t.to)}${n ? times(n, 'taken') : ' (not taken)'}</title></g>`,
    );
  }
  for (const [name, b] of layout.leaves) {
    const visited = m.visited.get(name) ?? 0;
    const cuts = cutsIn(name, m.cuts);
    const cls = ['state', visited ? 'visited' : '', cuts ? 'cut' : '', m.endedIn === name ? 'ended' : ''].filter(Boolean).join(' ');
    const exits = b.exits.map((e, k) => {
      const taken = (m.taken[e.index] ?? 0) > 0;
      const text = e.to === undefined ? `↻ ${escapeHtml(e.label)}` : `${escapeHtml(e.label)} → ${escapeHtml(e.to)}`;
      return `<text class="${e.to === undefined ? 'loop' : 'exit'}${taken ? ' taken' : ''}" x="${f(b.x + PAD)}" y="${f(b.y + NODE_H + k * EXIT_H + 6)}">${text}</text>`;
    });
    parts.push(
      `<g class="${cls}" data-state="${escapeHtml(name)}"><rect x="${f(b.x)}" y="${f(b.y)}" width="${f(b.width)}" height="${f(b.height)}" rx="6"/><text class="state-name" x="${f(b.x + b.width / 2)}" y="${f(b.y + 17)}" text-anchor="middle">${escapeHtml(name)}</text>${exits.join('')}${cuts ? `<text class="cut-count" x="${f(b.x + b.width - 2)}" y="${f(b.y - 3)}" text-anchor="end">✂${plural || cuts > 1 ? ` ${cuts}` : ''}</text>` : ''}<title>${escapeHtml(name)}${visited ? times(visited, 'visited') : ' (not visited)'}${cuts ? times(cuts, `${cuts} cut${cuts === 1 ? '' : 's'}`) : ''}${m.endedIn === name ? ' (the case ended here)' : ''}</title></g>`,
    );
  }
  if (layout.failStates.size) {
    const first = [...layout.failStates.values()][0]!;
    parts.push(`<text class="group-label" x="${f(first.x)}" y="${f(first.y - 10)}">fail states</text>`);
  }
  for (const [name, b] of layout.failStates) {
    const n = m.failed.get(name) ?? 0;
    parts.push(
      `<g class="state fail-state${n ? ' failed' : ''}" data-state="${escapeHtml(name)}"><rect x="${f(b.x)}" y="${f(b.y)}" width="${f(b.width)}" height="${f(b.height)}" rx="6"/><text class="state-name" x="${f(b.x + b.width / 2)}" y="${f(b.y + 17)}" text-anchor="middle">${escapeHtml(name)}</text><title>${escapeHtml(name)}: from ${escapeHtml(b.from.join(', '))}${n ? times(n, 'entered') : ''}</title></g>`,
    );
  }
  const global = layout.global.length
    ? `<p class="muted">from any state: ${layout.global.map((t) => `${escapeHtml(t.label)} → ${escapeHtml(t.to)}`).join(', ')}</p>`
    : '';
  const { height } = layout;
  return `<div class="model-wrap"><svg class="model" viewBox="0 0 ${f(layout.width)} ${f(height)}" width="${f(layout.width)}" height="${f(height)}" role="img" aria-label="expectation model">${parts.join('')}</svg></div>${global}${LEGEND}`;
}

const f = (n: number) => (Math.round(n * 10) / 10).toString();
