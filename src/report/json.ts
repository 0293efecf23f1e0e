import type { RunResult } from './RunResult.js';
import { countStatuses } from './summary.js';
import { writeReportFile } from './writeReportFile.js';

/** Identifies the file's layout for tools that read it (merging runs from several rig runners, dashboards). */
export const RESULTS_FORMAT = 'hil-results/1';

/** `results.json`: the whole run as RunResult, plus its format and the counts. */
export function renderJsonReport(run: RunResult): string {
  return `${JSON.stringify({ format: RESULTS_FORMAT, summary: countStatuses(run), ...run }, null, 2)}\n`;
}

export function writeJsonReport(run: RunResult, file: string): void {
  writeReportFile(file, renderJsonReport(run));
}
