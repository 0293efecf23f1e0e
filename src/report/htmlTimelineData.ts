import { readFileSync } from 'node:fs';

/** The parts of timeline.jsonl the HTML report draws. */
export interface TimelineEvent {
  t: number;
  type: string;
  [key: string]: unknown;
}

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
      const e = JSON.parse(line) as TimelineEvent;
      if (typeof e.t === 'number' && typeof e.type === 'string') events.push(e);
    } catch {
      // A line cut short by a crash: the rest of the timeline still draws.
    }
  }
  return events;
}
