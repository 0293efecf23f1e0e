/** What a case and a run produce; the reports are written from these alone. */

export type CaseStatus = 'pass' | 'fail' | 'error' | 'skipped';

export interface CaseResult {
  /** `rollback-powerfail[cut_after=60ms]`, or the bare scenario name with no params. */
  id: string;
  scenario: string;
  rig: string;
  params: Record<string, string>;
  status: CaseStatus;
  /** One line: why it failed or errored. */
  message?: string;
  /** Several lines: model state, expected events, last console lines, the tool's own output. */
  detail?: string;
  /** Wall start (ISO 8601) and duration. */
  startedAt: string;
  durationMs: number;
  /** Extra facts for JUnit properties: seed, image hashes, cut time, actuation latency, coverage. */
  properties: Record<string, string>;
  /** Case output directory (console.log, timeline.jsonl, result.json), relative to the run directory. */
  dir: string;
  /** Console as text, each line prefixed with its timestamp, for JUnit <system-out>. */
  consoleText: string;
}

export interface RunResult {
  runId: string;
  startedAt: string;
  durationMs: number;
  /** Absolute path of the run directory (reports/<runId>). */
  dir: string;
  cases: CaseResult[];
  /** Set when the run stopped early on a signal. */
  interrupted?: NodeJS.Signals;
}
