/** Waits until `done()` holds, polling every 5 ms; throws naming `what` once `ms` have passed. */
export async function until(what: string, done: () => boolean, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!done()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Waits until `done()` holds or `ms` have passed, and does not throw: the assertions after it say what is wrong,
 * with what the process printed.
 */
export async function untilOrAfter(done: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !done() && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
}
