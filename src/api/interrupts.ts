/** Something holding a rig that must power it off and let it go before the process ends on a signal. */
export interface Interruptible {
  interrupt(signal: NodeJS.Signals): Promise<void>;
}

const holders = new Set<Interruptible>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  const now = [...holders];
  holders.clear();
  for (const s of SIGNALS) process.off(s, listeners[s]);
  await Promise.allSettled(now.map((h) => h.interrupt(signal)));
  // Then the signal does what it would have done without us (a test runner's own handler, or the end of the
  // process), now that the rig is safe.
  process.kill(process.pid, signal);
}

const listeners = { SIGINT: () => void onSignal('SIGINT'), SIGTERM: () => void onSignal('SIGTERM') };

/**
 * While `holder` is held, Ctrl-C and SIGTERM first call its `interrupt` (power off, release, reports written),
 * then are raised again. Returns the function that stops watching.
 */
export function watchInterrupts(holder: Interruptible): () => void {
  if (holders.size === 0) for (const s of SIGNALS) process.on(s, listeners[s]);
  holders.add(holder);
  return () => {
    if (!holders.delete(holder) || holders.size) return;
    for (const s of SIGNALS) process.off(s, listeners[s]);
  };
}
