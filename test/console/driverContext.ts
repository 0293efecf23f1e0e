import type { DriverContext } from '../../src/drivers/DriverContext.js';
import { Timeline, type TimelineEvent } from '../../src/run/Timeline.js';

/** A driver context whose timeline events and log lines the test can inspect. */
export function driverContext(part = 'console'): DriverContext & { events: TimelineEvent[]; logged: string[] } {
  const timeline = new Timeline();
  const events: TimelineEvent[] = [];
  const logged: string[] = [];
  timeline.subscribe((e) => events.push(e));
  const shared = new Map<string, unknown>();
  return {
    rigName: 'test',
    rigDir: '/',
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
