import type { CaseResult } from './CaseResult.js';
import type { RunResult } from './RunResult.js';
import { countStatuses } from './summary.js';
import { writeReportFile } from './writeReportFile.js';

/** Identifies the file's layout for tools that read it (merging runs from several rig runners, dashboards). */
export const RESULTS_FORMAT = 'hil-results/1';

/** Where the rendered cases go in a document rendered without them. */
const CASES_MARK = '\u0000hil-cases';

/** A case as it stands in results.json's `cases` array (two levels deep). */
export function renderJsonCase(c: CaseResult): string {
  return JSON.stringify(c, null, 2).replaceAll('\n', '\n    ');
}

/** `results.json`: the whole run as RunResult, plus its format and the counts. */
export function renderJsonReport(run: RunResult): string {
  return `${JSON.stringify(jsonDocument(run), null, 2)}\n`;
}

function jsonDocument(run: RunResult) {
  return { format: RESULTS_FORMAT, summary: countStatuses(run), ...run };
}

/**
 * renderJsonReport's bytes, in pieces: `rendered` are the run's cases as renderJsonCase gave them (UTF-8), in
 * order. A run rewriting the file after each case renders and encodes each case once, when it ends; rendering
 * all of them at every rewrite cost 130 ms of CPU per case at 553 cases.
 */
export function jsonReportChunks(run: RunResult, rendered: readonly Buffer[]): Buffer[] {
  if (!rendered.length || rendered.length !== run.cases.length) return [Buffer.from(renderJsonReport(run))];
  const text = `${JSON.stringify({ ...jsonDocument(run), cases: [CASES_MARK] }, null, 2)}\n`;
  const mark = JSON.stringify(CASES_MARK);
  const at = text.indexOf(mark);
  const chunks: Buffer[] = [Buffer.from(text.slice(0, at))];
  rendered.forEach((c, i) => chunks.push(...(i ? [CASE_SEPARATOR, c] : [c])));
  chunks.push(Buffer.from(text.slice(at + mark.length)));
  return chunks;
}

const CASE_SEPARATOR = Buffer.from(',\n    ');

export function writeJsonReport(run: RunResult, file: string): void {
  writeReportFile(file, renderJsonReport(run));
}
