import type { DriverContext } from '../../src/drivers/DriverContext.js';
import { RigError } from '../../src/errors.js';
import { Timeline, type TimelineEvent } from '../../src/run/Timeline.js';

/** A DriverContext that records its timeline, for asserting the events a driver leaves. */
export function driverContext(part = 'probe', rigDir = '/tmp'): DriverContext & { events: TimelineEvent[] } {
  const timeline = new Timeline();
  const events: TimelineEvent[] = [];
  timeline.subscribe((e) => events.push(e));
  const shared = new Map<string, unknown>();
  return {
    rigName: 'test',
    rigDir,
    part,
    timeline,
    resources: {},
    log: () => undefined,
    shared: <T>(key: string, create: () => T) => (shared.has(key) ? shared.get(key) : shared.set(key, create()).get(key)) as T,
    events,
  };
}

/** The RigError a promise rejects with (fails the test when it resolves or rejects otherwise). */
export async function rigErrorOf(p: Promise<unknown>): Promise<RigError> {
  const err = await p.then(
    () => new Error('expected a RigError, but it resolved'),
    (e: unknown) => e,
  );
  if (!(err instanceof RigError)) throw err;
  return err;
}
