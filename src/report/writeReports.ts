import { join } from 'node:path';
import { RigError } from '../core/errors.js';
import { writeHtmlReport } from './html.js';
import { writeJsonReport } from './json.js';
import { writeJunit } from './junit.js';
import type { CaseResult } from './CaseResult.js';
import type { RunResult } from './RunResult.js';

/**
 * A run's reports at its end: both junit.xml (reports/junit.xml unless `latestJunit` is false), results.json and
 * the HTML report (but the case pages written as the cases ended). Each is tried even when one fails (a full disk may still take a small file), and the run's result
 * still reaches the caller to print: what could not be written is listed, not thrown.
 */
export function writeReports(
  result: RunResult,
  reportDir: string,
  options: { latestJunit?: boolean; casePagesWritten?: ReadonlySet<CaseResult> } = {},
): void {
  const reportErrors: string[] = [];
  const attempt = (write: () => void) => {
    try {
      write();
    } catch (err) {
      if (!(err instanceof RigError)) throw err;
      reportErrors.push(err.message);
    }
  };
  const junits = [join(result.dir, 'junit.xml'), ...(options.latestJunit === false ? [] : [join(reportDir, 'junit.xml')])];
  for (const file of junits) attempt(() => writeJunit(result, file));
  attempt(() => writeJsonReport(result, join(result.dir, 'results.json')));
  attempt(() => writeHtmlReport(result, reportDir, options.casePagesWritten));
  if (reportErrors.length) result.reportErrors = reportErrors;
}
