import type { z } from 'zod';
import type { ConfigIssue } from '../core/errors.js';
import { suggestion } from '../core/didYouMean.js';
import type { FieldPath, YamlFile } from './YamlFile.js';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
}

function def(schema: z.ZodType): Def {
  return (schema as unknown as { def: Def }).def;
}

/** Keys an object schema accepts at `path`, for a did-you-mean on an unknown key. */
function keysAt(schema: z.ZodType, path: FieldPath): string[] {
  let nodes: z.ZodType[] = [schema];
  const unwrap = (s: z.ZodType): z.ZodType[] => {
    const d = def(s);
    if (d.innerType) return unwrap(d.innerType);
    if (d.type === 'pipe' && d.in) return unwrap(d.in);
    if (d.type === 'union' && d.options) return d.options.flatMap(unwrap);
    return [s];
  };
  nodes = nodes.flatMap(unwrap);
  for (const part of path) {
    const next: z.ZodType[] = [];
    for (const node of nodes) {
      const d = def(node);
      if (d.type === 'object' && d.shape && typeof part === 'string' && d.shape[part]) next.push(d.shape[part]);
      else if (d.type === 'array' && d.element && typeof part === 'number') next.push(d.element);
      else if (d.type === 'record' && d.valueType) next.push(d.valueType);
    }
    nodes = next.flatMap(unwrap);
  }
  return nodes.flatMap((n) => Object.keys(def(n).shape ?? {}));
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  // JSON would print NaN and Infinity as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function typeName(expected: string): string {
  if (expected === 'object' || expected === 'record') return 'a mapping';
  if (expected === 'array' || expected === 'tuple') return 'a list';
  return `a ${expected}`;
}

function message(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `required, expected ${typeName(issue.expected)}`;
      return `expected ${typeName(issue.expected)}, got ${describeValue(input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(input)}`;
    case 'too_small':
      return `too small: ${issue.message.replace(/^Too small: /, '')}`;
    case 'too_big':
      return `too big: ${issue.message.replace(/^Too big: /, '')}`;
    case 'invalid_union': {
      // Say what each alternative wanted at this very spot: `expected "on", "off", "cycle" or a mapping`.
      const wanted = new Set<string>();
      for (const branch of issue.errors) {
        for (const sub of branch) {
          if (sub.path.length) continue;
          if (sub.code === 'invalid_value') sub.values.forEach((v) => wanted.add(JSON.stringify(v)));
          else if (sub.code === 'invalid_type') wanted.add(typeName(sub.expected));
        }
      }
      const list = [...wanted];
      if (!list.length) return `${describeValue(input)} is not valid here`;
      const alternatives = list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}` : list[0];
      return input === undefined ? `required, expected ${alternatives}` : `expected ${alternatives}, got ${describeValue(input)}`;
    }
    default:
      return issue.message;
  }
}

/**
 * The alternative of a union whose shape the value has (its problems lie deeper, as `hold: -5` in a button
 * mapping, or its own checks refused the value): its problems name what is wrong, where the union as a whole
 * could only say the value is not valid.
 */
function matchedBranch(issue: z.core.$ZodIssue): z.core.$ZodIssue[] | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  // Unknown keys of a mapping are a deeper problem too: the value is a mapping, as that alternative wants.
  const matched = issue.errors.filter(
    (branch) => branch.length && branch.every((sub) => sub.path.length > 0 || sub.code === 'custom' || sub.code === 'unrecognized_keys'),
  );
  const branch = matched.sort((a, b) => a.length - b.length)[0];
  // A misspelt key is why a required one is missing (`text:` for `pattern:`): naming it is the one message.
  const unknown = branch?.filter((sub) => sub.code === 'unrecognized_keys');
  return unknown?.length ? unknown : branch;
}

/** Turns a failed zod parse of `data` (found at `base` in `yaml`) into located issues, one per problem. */
function zodToIssues(
  yaml: YamlFile,
  base: FieldPath,
  schema: z.ZodType,
  error: { issues: z.core.$ZodIssue[] },
  within: FieldPath = [],
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const rel = [...within, ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')];
    const branch = matchedBranch(issue);
    if (branch) {
      out.push(...zodToIssues(yaml, base, schema, { issues: branch }, rel));
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      // One message per mapping, at its first unknown key: several typos in one place are one thing to fix.
      const allowed = keysAt(schema, rel);
      const known = allowed.length ? `; known keys: ${allowed.join(', ')}` : '';
      const [first, ...more] = issue.keys;
      if (first === undefined) continue;
      const others = more.length ? ` (and ${more.map((k) => `"${k}"`).join(', ')})` : '';
      out.push(yaml.issue([...base, ...rel, first], `unknown key "${first}"${suggestion(first, allowed)}${others}${known}`, { key: true }));
      continue;
    }
    out.push(yaml.issue([...base, ...rel], message(issue)));
  }
  return out;
}

/**
 * A mapping none of whose keys the file can have (a copy of /proc/self/status, an .env file) is some other kind of
 * file: one message says so, not one per key and per missing field.
 */
function foreignFile(yaml: YamlFile, schema: z.ZodType, data: unknown): ConfigIssue | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const keys = Object.keys(data);
  const known = keysAt(schema, []);
  if (!known.length || keys.some((k) => known.includes(k))) return undefined;
  if (!keys.length) return { ...yaml.issue([], ''), message: `an empty mapping: no settings; known keys: ${known.join(', ')}` };
  const shown =
    keys
      .slice(0, 3)
      .map((k) => JSON.stringify(k))
      .join(', ') + (keys.length > 3 ? ', ...' : '');
  const what =
    keys.length === 1
      ? `its only key, ${shown}${suggestion(keys[0]!, known)}, is not`
      : `none of its ${keys.length} top-level keys (${shown}) is`;
  return {
    ...yaml.issue([keys[0]!], '', { key: true }),
    field: undefined,
    message: `${what} one this file can have; known keys: ${known.join(', ')}`,
  };
}

/** Parses `data` at `base` with `schema`; on failure pushes located issues and returns undefined. */
export function parseAt<S extends z.ZodType>(
  yaml: YamlFile,
  base: FieldPath,
  schema: S,
  data: unknown,
  issues: ConfigIssue[],
): z.infer<S> | undefined {
  const foreign = base.length === 0 ? foreignFile(yaml, schema, data) : undefined;
  if (foreign) {
    issues.push(foreign);
    return undefined;
  }
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  issues.push(...zodToIssues(yaml, base, schema, result.error));
  return undefined;
}
