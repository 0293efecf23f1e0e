import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkOutputDir } from '../core/outputDir.js';
import { loadRig, type RigSpec } from '../rig/RigSpec.js';
import { loadScenario, type Scenario } from '../scenario/Scenario.js';
import { ConfigError, Interrupted, RigError } from '../core/errors.js';
import { writeReportFile } from '../report/writeReportFile.js';
import { writeReports } from '../report/writeReports.js';
import { RunProgress } from '../report/RunProgress.js';
import type { CaseResult } from '../report/CaseResult.js';
import type { RunResult } from '../report/RunResult.js';
import { expandCases, type CaseOptions, type CaseSpec } from '../scenario/cases.js';
import { checkCases } from '../scenario/checkCase.js';
import { Project } from '../config/Project.js';
import { CoverageSweep, DEFAULT_MAX_CASES } from './CoverageSweep.js';
import { cutLatency } from '../report/cutLatency.js';
import { jobRigs, type JobRig } from './jobRigs.js';
import { runJobs } from './runJobs.js';
import { JobOutput } from './JobOutput.js';
import { runCoverage } from '../report/coverage.js';
import { cuttableStates } from '../expect/modelSpec.js';
import { DEFAULT_QUARANTINE_AFTER, Quarantine } from '../rig/Quarantine.js';
import { matchingRigs } from '../rig/rigMatch.js';
import { HitSweep } from './HitSweep.js';
import { ExploredStates } from './ExploredStates.js';
import { CutSurveys } from './CutSurveys.js';
import { KeptRigs } from '../rig/KeptRigs.js';
import type { RigLease } from '../rig/RigLease.js';
import type { TimelineEvent } from '../core/TimelineEvent.js';
import { rigGate, quarantineBlock, type Blocked } from './rigGate.js';
import { runAttempts } from './runAttempts.js';
import { writableStateRoot } from '../core/stateRoot.js';
import { checkRigState } from '../rig/rigState.js';
import { checkFlashImages, withImages, withScenarioImages } from './runImages.js';

export interface RunOptions extends CaseOptions {
  scenarios: string[];
  rig?: string;
  /** `--image NAME=PATH[@REGION]`: flash another build than the rig's (a faulty bootloader variant, a candidate), or add one. */
  images?: Record<string, string>;
  reportDir: string;
  cwd?: string;
  /** `--wait`: how long to queue for a rig another runner holds; 0 fails at once. */
  waitMs?: number;
  /** `--retries`: run an errored case (the rig's fault, never a failed one) up to this many more times. */
  retries?: number;
  /** `--quarantine-after`: rig errors in a row that take the rig out of service. */
  quarantineAfter?: number;
  /** `hil rig health`: run on a quarantined rig, to find out whether it may come back. */
  ignoreQuarantine?: boolean;
  /** `--jobs`: cases run on this many rigs at once (copies of a virtual rig, or as many matching rig files). */
  jobs?: number;
  /** `--survey` / `--no-survey`: cases of a hit sweep start at their cut from a survey of its hits (CutSurveys.of). */
  survey?: boolean;
  /** `--until-coverage`: after the planned cases, draw more until every `cuttable` state had a cut in it. */
  untilCoverage?: boolean;
  /** `--max-cases`: the cap per scenario for `untilCoverage`. */
  maxCases?: number;
  signal: AbortSignal;
  log(message: string): void;
  /** `rig` is the rig (or rig copy, `virtual#2`) the case runs on. */
  onCaseStart?(spec: CaseSpec, index: number, total: number, rig: string): void;
  onCaseEnd?(result: CaseResult, index: number, total: number): void;
  /** Each timeline event of a case as recorded (or held with its job's output: JobOutput); take note, never wait. */
  onEvent?(spec: CaseSpec, event: TimelineEvent): void;
}

export interface PlannedScenario {
  scenario: Scenario;
  rig: RigSpec;
  cases: CaseSpec[];
  /** One rig per job (`--jobs`); just `rig` when absent. */
  jobRigs?: JobRig[];
  /** States the model marks `cuttable`. */
  cuttable?: string[];
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
      const match = matchingRigs(project, want, rigFor).next();
      if (match.done) {
        throw new ConfigError({
          file: scenario.yaml.displayName,
          field: 'rigs.labels',
          message: `no rig has all of the labels [${want.join(', ')}]; pass --rig NAME or PATH`,
        });
      }
      rig = match.value;
    }
    const place = (r: RigSpec) => withScenarioImages(withImages(r, options.images ?? {}, options.cwd), scenario);
    rig = place(rig);
    const slots = jobRigs(scenario, rig, { jobs: options.jobs ?? 1, project, cwd: options.cwd, named: Boolean(rigRef), withImages: place });
    const cuttable = cuttableStates(scenario.expect.model);
    if (options.untilCoverage && cuttable.length === 0) {
      throw new ConfigError({
        file: scenario.yaml.displayName,
        field: 'expect.model',
        message: '--until-coverage: no state is marked cuttable: true, so there is no coverage to wait for',
      });
    }
    const cases = expandCases(scenario, options);
    checkCases(scenario, rig, cases);
    checkFlashImages(scenario, rig, cases);
    return { scenario, rig, cases, jobRigs: slots, cuttable };
  });
}

/** `--shard i/n`: which of n runners this is (1-based). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) {
    throw new ConfigError({
      file: 'command line',
      field: '--shard',
      message: `expected i/n with 1 <= i <= n (e.g. 2/4), got ${JSON.stringify(text)}`,
    });
  }
  return { index, count };
}

/**
 * Keeps this shard's cases: every n-th of the expanded cases in plan order, starting at the i-th. Runners given
 * the same scenarios and options compute the same expansion, so the shards are disjoint, cover every case and
 * differ in size by at most one. Scenarios left with no case are dropped (their rig is not leased).
 */
export function shardPlan(plan: PlannedScenario[], shard: { index: number; count: number }): PlannedScenario[] {
  let n = 0;
  return plan.map((p) => ({ ...p, cases: p.cases.filter(() => n++ % shard.count === shard.index - 1) })).filter((p) => p.cases.length > 0);
}

export function newRunId(now: Date = new Date()): string {
  return `${now
    .toISOString()
    .replace(/[:]/g, '-')
    .replace(/\.\d+Z$/, 'Z')}-${process.pid}`;
}

/**
 * Runs every case (in order, or on `jobs` rigs at once, each taking the next case when free) and writes the
 * reports: reports/<run>/ (per-case files, junit.xml, results.json with the run's cut latency and coverage) and
 * reports/junit.xml (the latest run, where nightly CI looks).
 */
export async function run(options: RunOptions, plan: PlannedScenario[] = planRun(options)): Promise<RunResult> {
  const started = new Date();
  const t0 = performance.now();
  const r = openRun(options, plan, started, t0);
  try {
    for (const [at, planned] of plan.entries()) {
      const rigs = await runScenario(r, planned);
      await releaseRigs(r, rigs, plan.slice(at + 1));
    }
  } finally {
    await r.kept.closeAll();
    for (const lease of r.leases.values()) lease.release();
    await r.progress.idle();
  }
  const reason: unknown = options.signal.aborted ? options.signal.reason : undefined;
  const result: RunResult = {
    runId: r.runId,
    startedAt: started.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    dir: r.runDir,
    cases: r.cases,
    interrupted: reason instanceof Interrupted ? reason.signal : undefined,
    cutLatency: cutLatency(r.cases),
    coverage: runCoverage(r.cases),
  };
  writeReports(result, r.reportDir, { casePagesWritten: r.progress.pagesWritten });
  return result;
}

/** A run under way: what its scenarios and cases share. */
interface RunState {
  readonly options: RunOptions;
  readonly reportDir: string;
  readonly runId: string;
  readonly runDir: string;
  readonly root: string;
  readonly cases: CaseResult[];
  /** Cases planned so far: a sweep draws more as it goes. */
  total: number;
  /** Cases started so far. */
  index: number;
  readonly progress: RunProgress;
  readonly quarantine: Quarantine;
  readonly leases: Map<string, RigLease>;
  readonly kept: KeptRigs;
}

/** Checks where the reports and the rig state go and creates the run's folder. */
function openRun(options: RunOptions, plan: PlannedScenario[], started: Date, t0: number): RunState {
  const reportDir = resolve(options.cwd ?? process.cwd(), options.reportDir);
  const runId = newRunId(started);
  const runDir = join(reportDir, runId);
  checkOutputDir(reportDir, { file: 'command line', field: '--report-dir' }, 'reports');
  const root = new Project(options.cwd).root;
  const state = writableStateRoot(root);
  for (const { rig, jobRigs: slots = [{ rig }] } of plan) for (const slot of slots) checkRigState(slot.rig, state, slot.instance);
  try {
    mkdirSync(runDir, { recursive: true });
  } catch (err) {
    throw new RigError('reports', `cannot create the report directory ${runDir}: ${(err as Error).message}`, { cause: err });
  }
  return {
    options,
    reportDir,
    runId,
    runDir,
    root,
    cases: [],
    total: plan.reduce((n, p) => n + p.cases.length, 0),
    index: 0,
    progress: new RunProgress({ runId, startedAt: started.toISOString(), dir: runDir }, join(reportDir, 'junit.xml'), options.log, t0),
    quarantine: new Quarantine(root),
    leases: new Map<string, RigLease>(),
    kept: new KeptRigs(),
  };
}

/** The rig as `hil rig check` finds it from where hil runs: its name, or its file when given by path. */
function rigRef(r: RunState, rig: RigSpec): string {
  return new Project(r.options.cwd).refFor('rigs', rig.name, rig.file, r.options.cwd);
}

/** On disk before it is printed: whatever the run's end, a case seen to end is in the reports. */
function caseEnded(r: RunState, out: JobOutput, result: CaseResult, n: number, print = true): void {
  r.cases.push(result);
  out.after(r.progress.caseEnded(result), () => print && r.options.onCaseEnd?.(result, n, r.total));
}

/** Gates the scenario's rigs, then runs its cases (and those its sweeps draw) on them; returns the rigs' names. */
async function runScenario(r: RunState, planned: PlannedScenario): Promise<string[]> {
  const { options } = r;
  const { scenario, rig, cases: specs, jobRigs: slots = [{ rig }], cuttable = [] } = planned;
  // Rigs are gated one at a time: copies of a virtual rig share one lease.
  const blockedBy = new Map<string, Blocked | undefined>();
  for (const { rig } of slots)
    if (!blockedBy.has(rig.name))
      blockedBy.set(
        rig.name,
        await rigGate(rig.name, {
          ...options,
          root: r.root,
          runId: r.runId,
          quarantine: r.quarantine,
          leases: r.leases,
          checkRef: rigRef(r, rig),
        }),
      );
  const sweep = options.untilCoverage ? new CoverageSweep(scenario, specs, cuttable, options.maxCases) : undefined;
  // An open-ended hit sweep, unless --case or --param fixed every level's hits.
  const fixed = Object.keys(options.overrides ?? {});
  const swept = scenario.hitSweeps.filter((l) => !fixed.includes(l.param));
  const hitSweep =
    scenario.hitSweep && swept.length && !options.only?.length
      ? new HitSweep({ ...scenario, hitSweep: scenario.hitSweep }, specs, fixed)
      : undefined;
  // Cuts during recoveries (swept, or points given by --param): a case that reaches a state already explored stops
  // there. Never for --case: a replay runs the case whole.
  const explored = scenario.hitSweeps.length > 1 && !options.only?.length ? new ExploredStates() : undefined;
  const surveys = options.only?.length ? undefined : CutSurveys.of(scenario, options.survey, fixed);
  const queue = [...specs];
  const nextCase = () => queue.shift() ?? (options.signal.aborted ? undefined : (hitSweep?.next() ?? sweep?.next(r.cases)));
  const outs = slots.map(() => new JobOutput());
  await runJobs(slots.length, nextCase, (spec, job) =>
    runPlannedCase(r, { scenario, slot: slots[job]!, out: outs[job]!, blockedBy, hitSweep, explored, surveys }, spec),
  );
  for (const out of outs) await out.idle();
  if (sweep && !options.signal.aborted) {
    const uncut = sweep.uncut(r.cases);
    if (uncut.length)
      options.log(
        `--until-coverage: stopped at ${options.maxCases ?? DEFAULT_MAX_CASES} cases of ${scenario.name}; never cut in: ${uncut.join(', ')}`,
      );
  }
  return [...blockedBy.keys()];
}

interface CaseSlot {
  scenario: Scenario;
  slot: JobRig;
  out: JobOutput;
  /** Why a rig's cases cannot run, per rig; a rig quarantined mid-run is added. */
  blockedBy: Map<string, Blocked | undefined>;
  hitSweep?: HitSweep;
  explored?: ExploredStates;
  surveys?: CutSurveys;
}

/** One case on one job's rig: skipped when the run is interrupted or the rig blocked, else run with its retries. */
async function runPlannedCase(r: RunState, job: CaseSlot, spec: CaseSpec): Promise<void> {
  const { scenario, slot, out, blockedBy, hitSweep, explored, surveys } = job;
  const { options, quarantine, kept } = r;
  const { rig, instance } = slot;
  const n = ++r.index;
  r.total = Math.max(r.total, n);
  if (options.signal.aborted) {
    caseEnded(r, out, skipped(spec, scenario, rig, 'not run: the run was interrupted'), n, false);
    return;
  }
  const blocked = blockedBy.get(rig.name);
  if (blocked) {
    const result: CaseResult = {
      ...skipped(spec, scenario, rig, blocked.message),
      status: blocked.status,
      properties: { rig: rig.name, ...blocked.properties },
    };
    caseEnded(r, out, result, n);
    return;
  }
  out.say(() => options.onCaseStart?.(spec, n, r.total, instance ?? rig.name));
  const log = (message: string) => out.say(() => options.log(message));
  const caseOptions = {
    scenario,
    rig,
    instance,
    spec,
    runDir: r.runDir,
    signal: options.signal,
    log,
    onEvent: options.onEvent ? (event: TimelineEvent) => out.say(() => options.onEvent?.(spec, event)) : undefined,
    kept: kept.of(rig, instance),
    explored,
    surveys,
  };
  const result = await runAttempts(caseOptions, options.retries ?? 0, (attempt) => {
    if (options.signal.aborted || attempt.status === 'skipped') return false;
    const q = quarantine.record(rig.name, attempt.status, attempt.message, options.quarantineAfter ?? DEFAULT_QUARANTINE_AFTER);
    if (q) {
      const block = quarantineBlock(rig.name, q.consecutiveErrors, q.quarantinedAt!, q.lastError, rigRef(r, rig));
      blockedBy.set(rig.name, block);
      log(block.message.replace(/^not run: /, ''));
    }
    return blockedBy.get(rig.name) !== undefined;
  });
  // A rig error may have left the kept board in a bad way: the next case starts from scratch.
  if (result.status === 'error') await kept.close(rig, instance);
  if (hitSweep?.settle(result)) writeReportFile(join(r.runDir, result.dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  caseEnded(r, out, result, n);
}

/** The lease is held across scenarios on the same rig, so no other runner slips in between them. */
async function releaseRigs(r: RunState, rigs: string[], later: PlannedScenario[]): Promise<void> {
  for (const name of rigs) {
    if (later.some((p) => (p.jobRigs ?? [{ rig: p.rig }]).some((j) => j.rig.name === name))) continue;
    await r.kept.closeRig(name);
    r.leases.get(name)?.release();
    r.leases.delete(name);
  }
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
