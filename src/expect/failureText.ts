import { formatDuration } from '../core/duration.js';
import { FAIL, type StateSpec } from './ModelTree.js';
import { unmetGuards } from './transitionSelection.js';

/** `no-banner` for `fail.no-banner`; the state's own path for a state tagged fail. */
export function failReason(state: StateSpec): string {
  if (state.path === FAIL) return FAIL;
  if (state.path.startsWith(`${FAIL}.`)) return state.path.slice(FAIL.length + 1);
  return state.path;
}

/** `FACTORY`, or `FACTORY version=1.1.0, wanted 1.0.0` when `when:` guards passed it over: the values a failure names. */
export function eventWithGuards(leaf: StateSpec, input: { type: string; groups: Record<string, string> }): string {
  const unmet = unmetGuards(leaf, input.type, input.groups);
  return unmet ? `${input.type} ${unmet}` : input.type;
}

/** A console line as a failure quotes it: in JSON quotes, cut at 120 characters. */
export function quoteLine(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}

/** A wait's timeout as its failure names it: `2.5s`, or `300ms` under a second. */
export function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10}s` : formatDuration(ms);
}
