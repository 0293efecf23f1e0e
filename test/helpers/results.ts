import type { CaseResult } from '../../src/report/CaseResult.js';
import type { RunResult } from '../../src/report/RunResult.js';
import type { CaseRunOptions } from '../../src/run/CaseRunner.js';

/** A finished case and run as the report writers receive them; a test overrides the fields it is about. */
export function caseResult(overrides: Partial<CaseResult> = {}): CaseResult {
  return {
    id: 'rollback-powerfail[cut_after=60ms]',
    scenario: 'rollback-powerfail',
    rig: 'virtual',
    params: { cut_after: '60ms' },
    status: 'pass',
    startedAt: '2026-03-01T02:00:01.250Z',
    durationMs: 4321,
    properties: {
      rig: 'virtual',
      'param.cut_after': '60ms',
      seed: '42',
      'image.factory.sha256': 'ab'.repeat(32),
      'cut.at': '60.4ms',
      'power.latencyMs': '1.2',
    },
    dir: 'rollback-powerfail_cut_after=60ms',
    consoleText: '[     0.051] MCUboot Bootloader Started\n[     0.120] No valid image',
    ...overrides,
  };
}

export function runResult(cases: CaseResult[], overrides: Partial<RunResult> = {}): RunResult {
  return {
    runId: '20260301-020000-ab12',
    startedAt: '2026-03-01T02:00:00.000Z',
    durationMs: cases.reduce((ms, c) => ms + c.durationMs, 0) + 100,
    dir: '/tmp/reports/20260301-020000-ab12',
    cases,
    ...overrides,
  };
}

/** What a stand-in `runCase` returns for the case it was given: its id, rig and folder, passing unless told. */
export function ranCase(o: Pick<CaseRunOptions, 'spec' | 'rig'>, overrides: Partial<CaseResult> = {}): CaseResult {
  return {
    id: o.spec.id,
    scenario: 's',
    rig: o.rig.name,
    params: {},
    status: 'pass',
    startedAt: new Date().toISOString(),
    durationMs: 1,
    properties: { rig: o.rig.name },
    dir: o.spec.id,
    consoleText: '',
    ...overrides,
  };
}
