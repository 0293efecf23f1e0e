/** Something holding a rig that must power it off and let it go before the process ends on a signal. */
export interface Interruptible {
  interrupt(signal: NodeJS.Signals): Promise<void>;
}

const holders = new Set<Interruptible>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * The process itself. jest runs a test file in a vm context whose `process` is a copy: a listener added to it
 * never hears a signal. Buffer comes from the main context, so its Function constructor evaluates there.
 */
function hostProcess(): NodeJS.Process {
  try {
    const evaluate = (Buffer.constructor as FunctionConstructor)('return process') as () => NodeJS.Process | undefined;
    const host = evaluate();
    if (host && typeof host.on === 'function' && host.pid === process.pid) return host;
  } catch {
    // Code generation from strings is disallowed: the process at hand is the one there is.
  }
  return process;
}

const listeners = { SIGINT: () => void onSignal('SIGINT'), SIGTERM: () => void onSignal('SIGTERM') };
let host: NodeJS.Process | undefined;

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  const now = [...holders];
  holders.clear();
  const proc = host!;
  for (const s of SIGNALS) proc.off(s, listeners[s]);
  await Promise.allSettled(now.map((h) => h.interrupt(signal)));
  // Then the signal does what it would have done without us (a test runner's own handler, or the end of the
  // process), now that the rig is safe.
  proc.kill(proc.pid, signal);
}

/**
 * While `holder` is held, Ctrl-C and SIGTERM first call its `interrupt` (power off, release, reports written),
 * then are raised again. Returns the function that stops watching.
 */
export function watchInterrupts(holder: Interruptible): () => void {
  host ??= hostProcess();
  if (holders.size === 0) for (const s of SIGNALS) host.on(s, listeners[s]);
  holders.add(holder);
  return () => {
    if (!holders.delete(holder) || holders.size) return;
    for (const s of SIGNALS) host!.off(s, listeners[s]);
  };
}
