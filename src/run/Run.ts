import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadRig, type RigSpec } from '../config/Rig.js';
import { loadScenario, type Scenario } from '../config/Scenario.js';
import { suggestion } from '../config/didYouMean.js';
import { ConfigError, Interrupted } from '../errors.js';
import { writeJsonReport } from '../report/json.js';
import { writeJunit } from '../report/junit.js';
import type { CaseResult, RunResult } from './CaseResult.js';
import { expandCases, type CaseOptions, type CaseSpec } from './cases.js';
import { runCase } from './CaseRunner.js';
import { Project } from './Project.js';

export interface RunOptions extends CaseOptions {
  scenarios: string[];
  rig?: string;
  /** `--image NAME=PATH`: flash another build than the rig's (a faulty bootloader variant, a candidate). */
  images?: Record<string, string>;
  reportDir: string;
  cwd?: string;
  signal: AbortSignal;
  log(message: string): void;
  onCaseStart?(spec: CaseSpec, index: number, total: number): void;
  onCaseEnd?(result: CaseResult, index: number, total: number): void;
  onStep?(spec: CaseSpec, index: number, description: string): void;
}

export interface PlannedScenario {
  scenario: Scenario;
  rig: RigSpec;
  cases: CaseSpec[];
}

/** Loads every scenario and its rig before anything runs, so a config error never strands a half-run. */
export function planRun(options: Omit<RunOptions, 'signal' | 'log' | 'reportDir'>): PlannedScenario[] {
  const project = new Project(options.cwd);
  const rigCache = new Map<string, RigSpec>();
  const rigFor = (file: string) => {
    if (!rigCache.has(file)) rigCache.set(file, loadRig(file, options.cwd));
    return rigCache.get(file)!;
  };
  return options.scenarios.map((ref) => {
    const scenario = loadScenario(project.resolve('scenarios', ref), options.cwd);
    const rigRef = options.rig ?? scenario.rigs.name;
    let rig: RigSpec;
    if (rigRef) {
      rig = rigFor(project.resolve('rigs', rigRef));
    } else {
      const want = scenario.rigs.labels;
      const match = project
        .list('rigs')
        .map((r) => ({ ...r, spec: tryLoad(() => rigFor(r.file)) }))
        .find((r) => r.spec !== undefined && want.every((label) => r.spec!.labels.includes(label)));
      if (!match?.spec) {
        throw new ConfigError({
          file: scenario.yaml.displayName,
          field: 'rigs.labels',
          message: `no rig has all of the labels [${want.join(', ')}]; pass --rig NAME or PATH`,
        });
      }
      rig = match.spec;
    }
    return { scenario, rig: withImages(rig, options.images ?? {}, options.cwd), cases: expandCases(scenario, options) };
  });
}

function withImages(rig: RigSpec, images: Record<string, string>, cwd: string = process.cwd()): RigSpec {
  if (!Object.keys(images).length) return rig;
  const merged = { ...rig.images };
  for (const [name, path] of Object.entries(images)) {
    const image = merged[name];
    if (!image) {
      throw new ConfigError({
        file: 'command line',
        field: '--image',
        message: `rig ${rig.name} has no image "${name}"${suggestion(name, Object.keys(merged))}; its images: ${Object.keys(merged).join(', ')}`,
      });
    }
    const file = resolve(cwd, path);
    if (!existsSync(file)) throw new ConfigError({ file: 'command line', field: '--image', message: `${name}=${path}: no such file` });
    merged[name] = { ...image, path: file };
  }
  return { ...rig, images: merged };
}

function tryLoad<T>(load: () => T): T | undefined {
  try {
    return load();
  } catch {
    return undefined;
  }
}

export function newRunId(now: Date = new Date()): string {
  return `${now.toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z')}-${process.pid}`;
}

/**
 * Runs every case in order and writes the reports: reports/<run>/ (per-case files, junit.xml,
 * results.json) and reports/junit.xml (the latest run, where nightly CI looks).
 */
export async function run(options: RunOptions, plan: PlannedScenario[] = planRun(options)): Promise<RunResult> {
  const started = new Date();
  const t0 = performance.now();
  const reportDir = resolve(options.cwd ?? process.cwd(), options.reportDir);
  const runId = newRunId(started);
  const runDir = join(reportDir, runId);
  mkdirSync(runDir, { recursive: true });
  const cases: CaseResult[] = [];
  const total = plan.reduce((n, p) => n + p.cases.length, 0);
  let index = 0;
  for (const { scenario, rig, cases: specs } of plan) {
    for (const spec of specs) {
      index++;
      if (options.signal.aborted) {
        cases.push(skipped(spec, scenario, rig, 'not run: the run was interrupted'));
        continue;
      }
      options.onCaseStart?.(spec, index, total);
      const result = await runCase({
        scenario,
        rig,
        spec,
        runDir,
        signal: options.signal,
        log: options.log,
        onStep: (i, d) => options.onStep?.(spec, i, d),
      });
      cases.push(result);
      options.onCaseEnd?.(result, index, total);
    }
  }
  const reason = options.signal.aborted ? options.signal.reason : undefined;
  const result: RunResult = {
    runId,
    startedAt: started.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    dir: runDir,
    cases,
    interrupted: reason instanceof Interrupted ? reason.signal : undefined,
  };
  for (const file of [join(runDir, 'junit.xml'), join(reportDir, 'junit.xml')]) writeJunit(result, file);
  writeJsonReport(result, join(runDir, 'results.json'));
  return result;
}

function skipped(spec: CaseSpec, scenario: Scenario, rig: RigSpec, message: string): CaseResult {
  return {
    id: spec.id,
    scenario: scenario.name,
    rig: rig.name,
    params: spec.params,
    status: 'skipped',
    message,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    properties: { rig: rig.name },
    dir: '',
    consoleText: '',
  };
}
