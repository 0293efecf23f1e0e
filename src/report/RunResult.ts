import type { CaseResult } from './CaseResult.js';
import type { ScenarioCoverage } from './coverage.js';
import type { CutLatency } from './cutLatency.js';

/** What a run produces: its cases and what was measured over all of them (results.json holds it). */
export interface RunResult {
  runId: string;
  startedAt: string;
  durationMs: number;
  /** Absolute path of the run directory (reports/<runId>). */
  dir: string;
  cases: CaseResult[];
  /** Set when the run stopped early on a signal. */
  interrupted?: NodeJS.Signals;
  /** Written while the run was still going: a run that never reached its end (killed) left it so. */
  unfinished?: boolean;
  /** Latency of every cut in the run (late + actuation, and each part); absent when no case cut power. */
  cutLatency?: CutLatency;
  /** Per scenario: cuts and visits per model state, transitions seen. */
  coverage?: ScenarioCoverage[];
  /** Report files that could not be written (a full or read-only disk): each message names its file. */
  reportErrors?: string[];
}
