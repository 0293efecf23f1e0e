import type { RunResult } from '../run/CaseResult.js';

/** The run's last line, read by people and by CI: `3 passed, 1 failed, 0 errors` (`, 2 skipped` when any were). */
export function summaryLine(run: RunResult): string {
  const n = (status: string) => run.cases.filter((c) => c.status === status).length;
  const skipped = n('skipped');
  return `${n('pass')} passed, ${n('fail')} failed, ${n('error')} errors${skipped ? `, ${skipped} skipped` : ''}`;
}
