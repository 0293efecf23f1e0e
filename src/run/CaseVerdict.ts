import { CaseFailure, CaseSkipped, ConfigError, Interrupted, RigError } from '../core/errors.js';
import { outcome, type CaseStatus } from '../core/outcome.js';
import type { Timeline } from '../core/Timeline.js';
import type { Expectation } from '../expect/Expectation.js';

/** A case's status and why: the first failure decides it, later ones are its consequences. */
export class CaseVerdict {
  status: CaseStatus = 'pass';
  message: string | undefined;
  detail: string | undefined;

  constructor(private readonly timeline: Timeline) {}

  /** `expect`: where the model was and the last console lines it read, for a step's own failure. */
  fail(err: unknown, expect: Expectation | undefined): void {
    if (this.status !== 'pass') return;
    this.status = outcome(err).status;
    if (err instanceof CaseFailure) {
      // A step's own check (inspect, cut) knows nothing of the model: say where the model was.
      const failure =
        err.state === undefined && expect
          ? new CaseFailure(`${err.message}, in state ${expect.state()}`, { state: expect.state(), lastLines: expect.lastLines() })
          : err;
      this.message = failure.message;
      this.detail = failureDetail(failure);
    } else if (err instanceof RigError) {
      this.message = `${err.part}: ${err.message}`;
      this.detail = err.detail;
    } else if (err instanceof CaseSkipped || err instanceof Interrupted || err instanceof ConfigError) {
      this.message = err.message;
    } else {
      this.message = `internal error: ${(err as Error)?.message ?? String(err)}`;
      this.detail = (err as Error)?.stack;
    }
    this.timeline.record('result', { status: this.status, message: this.message });
  }
}

function failureDetail(err: CaseFailure): string {
  const parts = [err.message];
  if (err.state) parts.push(`model state: ${err.state}`);
  if (err.expected) parts.push(`expected events: ${err.expected.join(', ') || '(none)'}`);
  if (err.lastLines?.length) parts.push('last console lines:', ...err.lastLines.map((l) => `  ${l}`));
  return parts.join('\n');
}
