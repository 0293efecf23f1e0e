import { describe, expect, it } from '@jest/globals';
import { cutLatency, cutLatencyLine, cutLatencyProperties, latencyStats, percentile } from '../../src/report/cutLatency.js';
import { renderJunit } from '../../src/report/junit.js';
import { caseResult, runResult } from '../helpers/results.js';

const cut = (lateMs: number, actuationMs: number) => ({ atMs: 100, lateMs, actuationMs, state: 'copying' });

describe('cut latency', () => {
  it('takes nearest-rank percentiles: always a measured value', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3], 50)).toBe(2);
    expect(() => percentile([], 50)).toThrow(RangeError);
  });

  it('sorts before taking percentiles and reports the max', () => {
    expect(latencyStats([5, 1, 3, 2, 4])).toEqual({ p50: 3, p99: 5, max: 5 });
  });

  it('aggregates every cut of every case: total = late + actuation, and each part', () => {
    const cases = [caseResult({ cuts: [cut(0.5, 1), cut(0.25, 2)] }), caseResult({ cuts: [cut(1, 40)] }), caseResult({ status: 'error' })];
    const latency = cutLatency(cases)!;
    expect(latency.cuts).toBe(3);
    expect(latency.total).toEqual({ p50: 2.25, p99: 41, max: 41 });
    expect(latency.late).toEqual({ p50: 0.5, p99: 1, max: 1 });
    expect(latency.actuation).toEqual({ p50: 2, p99: 40, max: 40 });
    expect(cutLatencyLine(latency)).toBe(
      'cut latency over 3 cuts: p50 2.25ms p99 41ms max 41ms (late p50 0.5ms p99 1ms max 1ms; actuation p50 2ms p99 40ms max 40ms)',
    );
    expect(cutLatencyProperties(latency)).toMatchObject({
      'cut.count': '3',
      'cut.latency.p99_ms': '41',
      'cut.late.p50_ms': '0.5',
      'cut.actuation.max_ms': '40',
    });
  });

  it('is absent when no case cut power', () => {
    expect(cutLatency([caseResult(), caseResult({ cuts: [] })])).toBeUndefined();
  });

  it("goes into each JUnit testsuite's properties, counted over that scenario's cuts", () => {
    const xml = renderJunit(
      runResult([caseResult({ cuts: [cut(1, 2), cut(1, 4)] }), caseResult({ scenario: 'other', id: 'other', cuts: [cut(0, 9)] })]),
    );
    const suites = xml.split('<testsuite ').slice(1);
    expect(suites[0]).toContain('<property name="cut.count" value="2"/>');
    expect(suites[0]).toContain('<property name="cut.latency.max_ms" value="5"/>');
    expect(suites[1]).toContain('<property name="cut.count" value="1"/>');
    expect(suites[1]).toContain('<property name="cut.actuation.p50_ms" value="9"/>');
  });
});
