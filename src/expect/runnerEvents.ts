import type { RunnerEventType } from './Expectation.js';

/**
 * Runner events and the named values a model's `when:` may test on each. The Record type makes the
 * compiler insist that every runner event is listed here.
 */
const GROUPS: Record<RunnerEventType, readonly string[]> = {
  POWER_ON: [],
  POWER_OFF: [],
  BUTTON_DOWN: ['output'],
  BUTTON_UP: ['output'],
  RESET: [],
  SENT: ['text'],
};

export const RUNNER_EVENT_TYPES = Object.keys(GROUPS) as RunnerEventType[];

export function isRunnerEvent(name: string): name is RunnerEventType {
  return Object.hasOwn(GROUPS, name);
}

export function runnerEventGroupNames(type: RunnerEventType): readonly string[] {
  return GROUPS[type];
}

/** The groups a runner event carries: BUTTON_* name the output, SENT carries the text sent. */
export function runnerEventGroups(type: RunnerEventType, detail: string | undefined): Record<string, string> {
  const names = GROUPS[type];
  return names.length > 0 && detail !== undefined ? { [names[0]!]: detail } : {};
}
