import { ConfigError } from '../core/errors.js';
import { suggestion } from '../core/didYouMean.js';
import { tooManyCases } from '../config/params.js';
import type { Scenario } from './Scenario.js';

export interface CaseSpec {
  id: string;
  params: Record<string, string>;
  /** 1-based repeat number when repeating. */
  repeat?: number;
}

export interface CaseOptions {
  /** `--param k=v`: fixes a parameter to one value (or a comma list) for this run. */
  overrides?: Record<string, string>;
  repeat?: number;
  /** `--case ID`: only cases whose id equals one of these (or starts with it, for a scenario-wide `name[`). */
  only?: string[];
}

/** `rollback-powerfail[cut_after=60ms]`, `#2` appended when repeating. */
export function caseId(scenario: string, params: Record<string, string>, repeat?: number): string {
  const keys = Object.keys(params);
  const body = keys.length ? `[${keys.map((k) => `${k}=${params[k]}`).join(',')}]` : '';
  return `${scenario}${body}${repeat ? `#${repeat}` : ''}`;
}

/** The cartesian product of the parameters (in file order), times `repeat`, refused past MAX_CASES. */
export function expandCases(scenario: Scenario, options: CaseOptions = {}): CaseSpec[] {
  const values: Record<string, string[]> = { ...scenario.params };
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (!(key in values)) {
      throw new ConfigError({
        file: scenario.yaml.displayName,
        field: 'params',
        message: `--param ${key}: the scenario has no parameter "${key}"${suggestion(key, Object.keys(values))}`,
      });
    }
    values[key] = value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  }
  const repeat = options.repeat ?? 1;
  const tooMany = tooManyCases(values, repeat);
  if (tooMany) throw new ConfigError({ file: scenario.yaml.displayName, field: 'params', message: `the run would make ${tooMany}` });
  const cases = Array.from(generateCases(scenario.name, values, repeat));
  if (!options.only?.length) return cases;
  const selected: CaseSpec[] = [];
  for (const want of options.only) {
    const hits = cases.filter((c) => c.id === want || (!want.includes('#') && c.id.replace(/#\d+$/, '') === want));
    selected.push(...(hits.length ? hits : [parseCaseId(scenario, want)]).filter((c) => !selected.includes(c)));
  }
  return selected;
}

/** The cartesian product of `values` (in order), times `repeat`, one case at a time: a list need not hold them all. */
export function* generateCases(scenario: string, values: Record<string, readonly string[]>, repeat = 1): Generator<CaseSpec> {
  const keys = Object.keys(values);
  if (keys.some((k) => !values[k]!.length)) return;
  const at = keys.map(() => 0);
  for (;;) {
    const params = Object.fromEntries(keys.map((k, i) => [k, values[k]![at[i]!]!]));
    for (let r = 1; r <= repeat; r++) {
      const n = repeat > 1 ? r : undefined;
      yield { id: caseId(scenario, params, n), params, repeat: n };
    }
    // Odometer, last parameter fastest: the order of the nested loops it replaces.
    let i = keys.length - 1;
    for (; i >= 0; i--) {
      if (++at[i]! < values[keys[i]!]!.length) break;
      at[i] = 0;
    }
    if (i < 0) return;
  }
}

/** A replayed point need not be in today's sweep (a random point from another seed): build it from its id. */
function parseCaseId(scenario: Scenario, id: string): CaseSpec {
  const fail = (message: string) =>
    new ConfigError({ file: scenario.yaml.displayName, field: 'params', message: `--case ${id}: ${message}` });
  const m = /^([^[#]+)(?:\[(.*)\])?(?:#(\d+))?$/.exec(id);
  if (!m || m[1] !== scenario.name)
    throw fail(
      `not a case of scenario ${scenario.name} (ids look like ${caseId(scenario.name, Object.fromEntries(Object.entries(scenario.params).map(([k, v]) => [k, v[0]!])))})`,
    );
  const params: Record<string, string> = {};
  for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq);
    if (eq < 1 || !(key in scenario.params)) throw fail(`unknown parameter "${key}"${suggestion(key, Object.keys(scenario.params))}`);
    params[key] = pair.slice(eq + 1);
  }
  const missing = Object.keys(scenario.params).filter((k) => !(k in params));
  if (missing.length) throw fail(`missing ${missing.join(', ')}`);
  const ordered = Object.fromEntries(Object.keys(scenario.params).map((k) => [k, params[k]!]));
  const repeat = m[3] ? Number(m[3]) : undefined;
  return { id: caseId(scenario.name, ordered, repeat), params: ordered, repeat };
}
