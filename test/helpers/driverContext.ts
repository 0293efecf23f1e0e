import { join } from 'node:path';
import type { DriverContext } from '../../src/protocols/DriverContext.js';
import { RigError } from '../../src/core/errors.js';
import { Timeline, type TimelineEvent } from '../../src/core/Timeline.js';

/** A DriverContext whose timeline events and log lines a test can inspect. */
export function driverContext(part = 'probe', rigDir = '/tmp'): DriverContext & { events: TimelineEvent[]; logged: string[] } {
  const timeline = new Timeline();
  const events: TimelineEvent[] = [];
  const logged: string[] = [];
  timeline.subscribe((e) => events.push(e));
  const shared = new Map<string, unknown>();
  return {
    rigName: 'test',
    rigDir,
    stateRoot: join(rigDir, '.hil'),
    part,
    timeline,
    resources: {},
    log: (message) => logged.push(message),
    shared: <T>(key: string, create: () => T): T => {
      if (!shared.has(key)) shared.set(key, create());
      return shared.get(key) as T;
    },
    events,
    logged,
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
