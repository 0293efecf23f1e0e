import { Interrupted } from '../core/errors.js';

/**
 * Runs `work` with Ctrl-C and SIGTERM turned into an abort of its signal (reason: Interrupted), so it can switch
 * power off and release the rig before hil exits, instead of Node exiting on the spot. `onInterrupt` hears the
 * first signal (to say what happens now); a second one changes nothing.
 */
export async function untilInterrupted<T>(
  work: (signal: AbortSignal) => Promise<T>,
  onInterrupt?: (signal: NodeJS.Signals) => void,
): Promise<T> {
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) return;
    onInterrupt?.(signal);
    abort.abort(new Interrupted(signal));
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await work(abort.signal);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
