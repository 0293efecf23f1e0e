import { parseDuration } from '../core/duration.js';
import type { StateSpec, WhenValue } from './ModelTree.js';

/** The model as written in YAML: the keys each level allows and checks on raw values. */
export const ROOT_KEYS = ['id', 'initial', 'states', 'on', 'strict', 'description'];
export const STATE_KEYS = ['id', 'initial', 'states', 'on', 'after', 'type', 'tags', 'strict', 'cuttable', 'description'];
export const TRANSITION_KEYS = ['target', 'when', 'reenter', 'description'];
export const DELAYED_KEYS = ['target', 'reenter', 'description'];

export type Raw = Record<string, unknown>;

export function isMapping(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isScalar(value: unknown): value is WhenValue {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

export function quote(s: string): string {
  return JSON.stringify(s);
}

/** `3000` (ms) or a duration string; object keys always arrive as strings. */
export function delayOf(key: string): number | undefined {
  if (/^\s*\d+(\.\d+)?\s*$/.test(key)) return Number(key);
  return parseDuration(key);
}

export function blankState(key: string, path: string, parent: StateSpec | undefined): StateSpec {
  return {
    key,
    path,
    parent,
    children: new Map(),
    final: false,
    tags: [],
    fail: false,
    implicit: false,
    on: new Map(),
    after: [],
    where: [],
  };
}

/** Every target string a raw state's `on` and `after` mention, for the implicit fail reasons. */
export function targetTexts(raw: Raw): string[] {
  const out: string[] = [];
  const take = (value: unknown) => {
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) value.forEach(take);
    else if (isMapping(value) && typeof value.target === 'string') out.push(value.target);
  };
  for (const block of [raw.on, raw.after]) if (isMapping(block)) Object.values(block).forEach(take);
  return out;
}

export function describe(state: StateSpec): string {
  return state.path ? `state ${state.path}` : "the model's root";
}
