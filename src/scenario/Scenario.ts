import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { fileName, nameOf } from '../config/fileName.js';
import { ConfigError, type ConfigIssue } from '../core/errors.js';
import type { ExpectationSpec } from '../expect/ExpectationModel.js';
import { namesOf } from '../expect/modelSpec.js';
import type { StepDefinition } from '../steps/Step.js';
import { steps as stepRegistry } from '../steps/registry.js';
import { suggestion } from '../core/didYouMean.js';
import { duration } from '../core/duration.js';
import { imageSchema } from '../config/imageSchema.js';
import { paramSchema, placeholders, substitute, tooManyCases } from '../config/params.js';
import { DEFAULT_EDGES } from './hitSample.js';
import { parseAt } from '../config/zodIssues.js';
import { YamlFile } from '../config/YamlFile.js';
import { buildExpectation, expectSchema } from './expectSection.js';

export interface ScenarioStep {
  index: number;
  key: string;
  definition: StepDefinition;
  /** Arguments as written, `${param}` placeholders included; parsed per case by `stepArgs`. */
  raw: unknown;
  timeoutMs?: number;
  name?: string;
}

export interface Scenario {
  name: string;
  description: string;
  file: string;
  yaml: YamlFile;
  rigs: { name?: string; labels: string[] };
  /** Each parameter's values, in order; a case takes one value of each. */
  params: Record<string, string[]>;
  /** `images:` the scenario adds to its rig's (paths resolved from the scenario's folder); placed by the run. */
  images: Record<string, { path: string; address?: number; region?: string }>;
  /** Whole-case bound, on top of per-step timeouts. */
  timeoutMs: number;
  steps: ScenarioStep[];
  /** Patterns compiled and the model parsed once, here: every case's live model is built from this. */
  expect: ExpectationSpec;
  /** Every state name `wait:`/`cut:` may use. */
  states: Set<string>;
  /**
   * `cut: { at: { hit: all | {every: N, edges: K} } }`: the cases sweep the hits of the symbol, 1 to K, then 1+N,
   * 1+2N, ... (N = 1 for all), through the parameter `hit`, until one finds no such hit (the count is the
   * firmware's, found by running it), then the last K. Params hold the first point only.
   */
  hitSweep?: HitSweepLevel;
  /**
   * Every sweeping cut step in order: a second (third) one cuts again during the recovery from the first, through
   * the parameter `hit2` (`hit3`); the first is `hitSweep`. A case is one hit per level.
   */
  hitSweeps: HitSweepLevel[];
}

export interface HitSweepLevel {
  param: string;
  every: number;
  edges: number;
}

/** The parameter an open-ended hit sweep sets: `hit`, then `hit2`, `hit3` for the cuts after the first. */
const hitParam = (level: number) => (level === 1 ? 'hit' : `hit${level}`);
/** Cuts of one case a sweep nests: a cut, a cut during its recovery, and one more. */
const MAX_SWEEP_LEVELS = 3;

const STEP_META = ['timeout', 'name'] as const;

const topSchema = z.strictObject({
  name: fileName.optional(),
  description: z.string().default(''),
  rigs: z.strictObject({ name: z.string().optional(), labels: z.array(z.string()).default([]) }).default({ labels: [] }),
  params: z.record(z.string().regex(/^[A-Za-z_][\w-]*$/, 'a parameter name is letters, digits, - and _'), paramSchema).default({}),
  images: z.record(z.string(), imageSchema).default({}),
  timeout: duration.default(300_000),
  steps: z.array(z.unknown()).min(1, 'a scenario needs at least one step'),
  expect: expectSchema,
});

/** Parses a step's arguments for one case's parameter values; issues are located at the step. */
export function stepArgs(scenario: Scenario, step: ScenarioStep, params: Record<string, string>): unknown {
  const issues: ConfigIssue[] = [];
  const args = parseAt(scenario.yaml, ['steps', step.index, step.key], step.definition.schema, substitute(step.raw, params), issues);
  if (issues.length) throw new ConfigError(issues);
  return args;
}

/**
 * The cut step that sweeps the scenario's hits gets a key naming its sequence of calls: every case with the same
 * key runs the same steps with the same parameters up to that cut, the hit aside. Other steps get none.
 */
export function sweepSequence(scenario: Scenario, step: ScenarioStep, params: Record<string, string>): string | undefined {
  const param = scenario.hitSweep?.param;
  const hit = (step.raw as { at?: { hit?: unknown } } | undefined)?.at?.hit;
  if (!param || step.key !== 'cut' || hit !== `\${${param}}`) return undefined;
  const others = Object.entries(params).filter(([name]) => name !== param);
  return JSON.stringify([scenario.file, step.index, others.sort(([a], [b]) => a.localeCompare(b))]);
}

export function loadScenario(file: string, cwd?: string): Scenario {
  const yaml = YamlFile.read(file, cwd);
  const issues: ConfigIssue[] = [];
  const top = parseAt(yaml, [], topSchema, yaml.data, issues);
  if (!top) throw new ConfigError(issues);

  const expect = buildExpectation(yaml, ['expect'], top.expect, issues);
  const patterns = expect?.patterns ?? [];
  const states = new Set(expect ? namesOf(expect.model) : []);

  const steps: ScenarioStep[] = [];
  top.steps.forEach((item, index) => {
    const step = parseStepItem(yaml, item, index, issues);
    if (step) steps.push(step);
  });
  const hitSweeps = openHitSweeps(yaml, steps, top.params, issues);
  const tooMany = tooManyCases(top.params);
  if (tooMany) issues.push(yaml.issue(['params'], `the parameters make ${tooMany}`, { key: true }));

  const named = nameOf(file, top.name);
  if (named.problem) issues.push(yaml.issue([], named.problem));
  const params = top.params;
  checkSteps({ yaml, params, steps, states, patterns }, issues);
  if (issues.length || !expect) throw new ConfigError(issues);
  return {
    name: named.name,
    description: top.description,
    file: yaml.file,
    yaml,
    rigs: { name: top.rigs.name, labels: top.rigs.labels },
    params,
    images: Object.fromEntries(Object.entries(top.images).map(([name, i]) => [name, { ...i, path: resolve(dirname(yaml.file), i.path) }])),
    timeoutMs: top.timeout,
    steps,
    expect,
    states,
    hitSweeps,
    ...(hitSweeps[0] ? { hitSweep: hitSweeps[0] } : {}),
  };
}

/**
 * A cut step with `hit: all` or `hit: { every: N, edges: K }` becomes `hit: ${hit}` over an open-ended parameter
 * `hit` (its first value 1 in `params`); the run extends the sweep as cases come back (HitSweep). A second and a
 * third such step sweep `hit2` and `hit3`, within each point of the one before. The step is told its parameter
 * (`at.sweep`), so a hit it never reaches names the level that ended.
 */
function openHitSweeps(yaml: YamlFile, steps: ScenarioStep[], params: Record<string, string[]>, issues: ConfigIssue[]): HitSweepLevel[] {
  const sweeps: HitSweepLevel[] = [];
  for (const step of steps) {
    const at = step.key === 'cut' ? (step.raw as { at?: { hit?: unknown } } | undefined)?.at : undefined;
    const hit = at && typeof at === 'object' ? at.hit : undefined;
    const sample = hit && typeof hit === 'object' && !Array.isArray(hit) ? (hit as Record<string, unknown>) : undefined;
    if (hit !== 'all' && !sample) continue;
    const where = ['steps', step.index, 'cut', 'at', 'hit'];
    const every = sample ? Number(sample['every']) : 1;
    const edges = sample?.['edges'] === undefined ? DEFAULT_EDGES : Number(sample['edges']);
    const extra = Object.keys(sample ?? {}).filter((k) => k !== 'every' && k !== 'edges');
    const param = hitParam(sweeps.length + 1);
    const refused = extra.length
      ? `hit takes { every: N, edges: K }, not ${extra.join(', ')}`
      : !Number.isInteger(every) || every < 1
        ? 'every takes a whole number of hits, 1 or more'
        : !Number.isInteger(edges) || edges < 0
          ? 'edges takes a whole number of hits, 0 or more'
          : sweeps.length >= MAX_SWEEP_LEVELS
            ? `a scenario sweeps the hits of ${MAX_SWEEP_LEVELS} cut steps at most (a cut, and cuts during the recoveries)`
            : param in params
              ? `hit: ${hit === 'all' ? 'all' : '{ every }'} sweeps through the parameter "${param}", which params already defines`
              : undefined;
    // A refused sweep still reads as hit 1 below, so the step's own check adds no second message about it.
    step.raw = { ...(step.raw as object), at: { ...at, hit: refused ? 1 : `\${${param}}`, ...(refused ? {} : { sweep: param }) } };
    if (refused) {
      issues.push(yaml.issue(where, refused));
      continue;
    }
    sweeps.push({ param, every, edges });
    params[param] = ['1'];
  }
  return sweeps;
}

function parseStepItem(yaml: YamlFile, item: unknown, index: number, issues: ConfigIssue[]): ScenarioStep | undefined {
  const where = ['steps', index];
  if (typeof item === 'string' && stepRegistry.has(item)) {
    issues.push(yaml.issue(where, `step "${item}" needs a value, e.g. "${item}: ..."`));
    return undefined;
  }
  if (!item || typeof item !== 'object' || Array.isArray(item)) {
    issues.push(yaml.issue(where, `a step is a mapping with one of: ${[...stepRegistry.keys()].join(', ')}`));
    return undefined;
  }
  const entries = Object.entries(item as Record<string, unknown>);
  const keys = entries.map(([k]) => k).filter((k) => !(STEP_META as readonly string[]).includes(k));
  const unknown = keys.filter((k) => !stepRegistry.has(k));
  for (const k of unknown) {
    issues.push(
      yaml.issue(
        [...where, k],
        `unknown step "${k}"${suggestion(k, [...stepRegistry.keys(), ...STEP_META])}; steps are ${[...stepRegistry.keys()].join(', ')}`,
        { key: true },
      ),
    );
  }
  if (unknown.length) return undefined;
  if (keys.length !== 1) {
    issues.push(yaml.issue(where, keys.length ? `one step per list item, found ${keys.join(' and ')}` : 'no step in this item'));
    return undefined;
  }
  const key = keys[0]!;
  const meta = item as { timeout?: unknown; name?: unknown };
  let timeoutMs: number | undefined;
  if (meta.timeout !== undefined) timeoutMs = parseAt(yaml, [...where, 'timeout'], duration, meta.timeout, issues);
  if (meta.name !== undefined && typeof meta.name !== 'string') issues.push(yaml.issue([...where, 'name'], 'expected a string'));
  return {
    index,
    key,
    definition: stepRegistry.get(key)!,
    raw: (item as Record<string, unknown>)[key],
    timeoutMs,
    name: meta.name as string | undefined,
  };
}

/**
 * Parses every step once per value of each parameter it uses, so a bad sweep point is caught at load,
 * then checks what the step refers to (model states, patterns) exists, for every point.
 */
function checkSteps(scenario: StepReferences & Pick<Scenario, 'params' | 'steps'>, issues: ConfigIssue[]): void {
  const { yaml, params } = scenario;
  const first = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v[0]!]));
  for (const step of scenario.steps) {
    const used = placeholders(step.raw);
    const missing = [...used].filter((p) => !(p in params));
    if (missing.length) {
      for (const p of missing) {
        issues.push(yaml.issue(['steps', step.index, step.key], `unknown parameter \${${p}}${suggestion(p, Object.keys(params))}`));
      }
      continue;
    }
    const variants: Record<string, string>[] = [first];
    for (const p of used) for (const value of params[p]!.slice(1)) variants.push({ ...first, [p]: value });
    for (const variant of variants) {
      const found = stepIssues(scenario, step, variant);
      if (used.size) for (const issue of found) issue.message += ` (with ${[...used].map((p) => `${p}=${variant[p]}`).join(', ')})`;
      issues.push(...found);
      if (found.length) break;
    }
  }
}

/** What a step's arguments may name, and the file they are located in. */
export interface StepReferences {
  yaml: YamlFile;
  states: ReadonlySet<string>;
  patterns: ReadonlyArray<{ name: string }>;
}

/** What is wrong with one step given these parameter values: its arguments, then the model states and patterns it names. */
export function stepIssues(scenario: StepReferences, step: ScenarioStep, params: Record<string, string>): ConfigIssue[] {
  const { yaml } = scenario;
  const issues: ConfigIssue[] = [];
  const where = ['steps', step.index, step.key];
  const args = parseAt(yaml, where, step.definition.schema, substitute(step.raw, params), issues);
  if (issues.length || args === undefined || !step.definition.references) return issues;
  const refs = step.definition.references(args);
  const patternNames = scenario.patterns.map((p) => p.name);
  for (const state of refs.states ?? []) {
    if (!scenario.states.has(state))
      issues.push(yaml.issue(where, `no state "${state}" in the model${suggestion(state, scenario.states)}`));
  }
  for (const pattern of refs.patterns ?? []) {
    if (!patternNames.includes(pattern))
      issues.push(yaml.issue(where, `no pattern "${pattern}" in expect.patterns${suggestion(pattern, patternNames)}`));
  }
  return issues;
}
