import { RigError } from '../core/errors.js';
import { caseFailureOf, type Expectation } from '../expect/Expectation.js';

/** Extra time a step gets beyond its own timeout before the runner gives up on it: the step's own error says more. */
const STEP_GRACE_MS = 2_000;

/**
 * A step ends when it finishes, when the model fails (a forbidden line during a `sleep` must end the case
 * now, not at the next step), or when its timeout plus a grace passes (a hung tool is the rig's fault).
 */
export async function raceStep(
  work: Promise<void>,
  model: Expectation,
  abort: AbortController,
  caseSignal: AbortSignal,
  timeoutMs: number,
  what: string,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let offFailure: (() => void) | undefined;
  let onCaseAbort: (() => void) | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    // The case ends now when it is interrupted or the rig breaks (a console gone for good), whatever the step is doing.
    onCaseAbort = () => reject(caseSignal.reason);
    if (caseSignal.aborted) onCaseAbort();
    else caseSignal.addEventListener('abort', onCaseAbort, { once: true });
    timer = setTimeout(() => {
      const err = new RigError('step', `${what} did not finish within ${(timeoutMs + STEP_GRACE_MS) / 1000}s`);
      abort.abort(err);
      reject(err);
    }, timeoutMs + STEP_GRACE_MS);
    offFailure = model.onFailure((failure) => {
      const err = caseFailureOf(failure);
      abort.abort(err);
      reject(err);
    });
  });
  try {
    await Promise.race([work, watchdog]);
  } catch (err) {
    // Let the step see the abort and stop (a power-on half done, a gdb run) before cleanup touches the same
    // parts; a step that ignores its signal is left behind after the grace.
    if (!abort.signal.aborted) abort.abort(err);
    await Promise.race([work.catch(() => undefined), new Promise((r) => setTimeout(r, STEP_GRACE_MS).unref())]);
    throw err;
  } finally {
    clearTimeout(timer);
    offFailure?.();
    if (onCaseAbort) caseSignal.removeEventListener('abort', onCaseAbort);
    work.catch(() => undefined);
  }
}
