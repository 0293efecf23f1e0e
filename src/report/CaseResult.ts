/** What a case produces; a run collects these (RunResult.ts) and the reports are written from them alone. */

import type { CaseStatus } from '../core/outcome.js';
import type { Coverage } from '../expect/Expectation.js';

/** One power cut as measured on the case's clock (ms since the case started). */
export interface CutMeasure {
  /** When the power-off was issued. */
  atMs: number;
  /** Issued minus the moment asked for (anchor + after): how late the host was. */
  lateMs: number;
  /** The power-off call itself: relay answer, or QEMU killed. */
  actuationMs: number;
  /** The model state the cut landed in (what the board printed before it lost power included). */
  state: string;
  anchor?: string;
  /** The sweep parameter the cut's hit came from (`hit`, `hit2` for a cut during the recovery from the first). */
  sweep?: string;
}

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
  /** The rig instance that ran it when several jobs share one rig file (`virtual#2`). */
  rigInstance?: string;
  /** Every power cut the case made, in order. */
  cuts?: CutMeasure[];
  /** The expectation model's coverage at the end of the case. */
  coverage?: Coverage;
}
