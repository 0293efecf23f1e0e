import type { RunResult } from './RunResult.js';

export interface StatusCounts {
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
}

export function countStatuses(run: RunResult): StatusCounts {
  const n = (status: string) => run.cases.filter((c) => c.status === status).length;
  return { passed: n('pass'), failed: n('fail'), errors: n('error'), skipped: n('skipped') };
}

/** The run's last line, read by people and by CI: `3 passed, 1 failed, 0 errors` (`, 2 skipped` when any were). */
export function summaryLine(run: RunResult): string {
  const { passed, failed, errors, skipped } = countStatuses(run);
  return `${passed} passed, ${failed} failed, ${errors} errors${skipped ? `, ${skipped} skipped` : ''}`;
}
