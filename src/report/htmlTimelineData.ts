import { readFileSync } from 'node:fs';
import type { TimelineEvent } from '../core/Timeline.js';

export function readTimeline(file: string): TimelineEvent[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const events: TimelineEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      // The case recorder wrote it from typed events; a line that lacks even a time and a type is skipped.
      const e = JSON.parse(line) as TimelineEvent;
      if (typeof e.t === 'number' && typeof e.type === 'string') events.push(e);
    } catch {
      // A line cut short by a crash: the rest of the timeline still draws.
    }
  }
  return events;
}
