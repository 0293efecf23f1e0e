import type { CaseResult } from './CaseResult.js';

export interface LatencyStats {
  p50: number;
  p99: number;
  max: number;
}

/**
 * How far from the asked-for moment power actually went, over every cut of a run: `total` is late + actuation
 * (target to power gone), `late` the host's delay in issuing the cut, `actuation` the power-off call itself.
 */
export interface CutLatency {
  cuts: number;
  total: LatencyStats;
  late: LatencyStats;
  actuation: LatencyStats;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** Nearest-rank percentile: always a value that was measured, never an interpolation between two. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of nothing');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function latencyStats(values: readonly number[]): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1]!) };
}

export function cutLatency(cases: readonly CaseResult[]): CutLatency | undefined {
  const cuts = cases.flatMap((c) => c.cuts ?? []);
  if (cuts.length === 0) return undefined;
  return {
    cuts: cuts.length,
    total: latencyStats(cuts.map((c) => c.lateMs + c.actuationMs)),
    late: latencyStats(cuts.map((c) => c.lateMs)),
    actuation: latencyStats(cuts.map((c) => c.actuationMs)),
  };
}

/** `cut latency over 50 cuts: p50 1.2ms p99 3.4ms max 3.9ms (late p50 … ; actuation p50 …)`, one line. */
export function cutLatencyLine(latency: CutLatency): string {
  const part = (s: LatencyStats) => `p50 ${s.p50}ms p99 ${s.p99}ms max ${s.max}ms`;
  const n = `${latency.cuts} cut${latency.cuts === 1 ? '' : 's'}`;
  return `cut latency over ${n}: ${part(latency.total)} (late ${part(latency.late)}; actuation ${part(latency.actuation)})`;
}

/** JUnit properties: `cut.latency.p50_ms` … for the total, `cut.late.*` and `cut.actuation.*` for the parts. */
export function cutLatencyProperties(latency: CutLatency): Record<string, string> {
  const props: Record<string, string> = { 'cut.count': String(latency.cuts) };
  for (const [name, stats] of [
    ['latency', latency.total],
    ['late', latency.late],
    ['actuation', latency.actuation],
  ] as const) {
    props[`cut.${name}.p50_ms`] = String(stats.p50);
    props[`cut.${name}.p99_ms`] = String(stats.p99);
    props[`cut.${name}.max_ms`] = String(stats.max);
  }
  return props;
}
