import { mkdirSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkOutputDir } from '../core/outputDir.js';
import { loadRig, type RigSpec } from '../rig/RigSpec.js';
import { loadScenario, type Scenario } from '../scenario/Scenario.js';
import { ConfigError, Interrupted, RigError } from '../core/errors.js';
import { writeHtmlReport } from '../report/html.js';
import { writeJsonReport } from '../report/json.js';
import { writeJunit } from '../report/junit.js';
import { writeReportFile } from '../report/writeReportFile.js';
import { RunProgress } from '../report/RunProgress.js';
import type { CaseResult } from '../report/CaseResult.js';
import type { RunResult } from '../report/RunResult.js';
import { expandCases, type CaseOptions, type CaseSpec } from '../scenario/cases.js';
import { runCase, type CaseRunOptions } from './CaseRunner.js';
import { checkCases } from '../scenario/checkCase.js';
import { Project } from '../config/Project.js';
import { CoverageSweep, DEFAULT_MAX_CASES } from './CoverageSweep.js';
import { cutLatency } from '../report/cutLatency.js';
import { jobRigs, type JobRig } from './jobRigs.js';
import { runJobs } from './runJobs.js';
import { runCoverage } from '../report/coverage.js';
import { cuttableStates } from '../expect/modelSpec.js';
import { DEFAULT_QUARANTINE_AFTER, Quarantine } from '../rig/Quarantine.js';
import { matchingRigs } from '../rig/rigMatch.js';
import { HitSweep } from './HitSweep.js';
import { KeptRigs } from '../rig/KeptRigs.js';
import { leaseDir, RigLease } from '../rig/RigLease.js';
import { writableStateRoot } from '../core/stateRoot.js';
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
  /** `--until-coverage`: after the planned cases, draw more until every `cuttable` state had a cut in it. */
  untilCoverage?: boolean;
  /** `--max-cases`: the cap per scenario for `untilCoverage`. */
  maxCases?: number;
  signal: AbortSignal;
  log(message: string): void;
  /** `rig` is the rig (or rig copy, `virtual#2`) the case runs on. */
  onCaseStart?(spec: CaseSpec, index: number, total: number, rig: string): void;
  onCaseEnd?(result: CaseResult, index: number, total: number): void;
  onStep?(spec: CaseSpec, index: number, description: string): void;
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
      throw new ConfigError({ file: scenario.yaml.displayName, field: 'expect.model', message: '--until-coverage: no state is marked cuttable: true, so there is no coverage to wait for' });
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
    throw new ConfigError({ file: 'command line', field: '--shard', message: `expected i/n with 1 <= i <= n (e.g. 2/4), got ${JSON.stringify(text)}` });
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
  return plan
    .map((p) => ({ ...p, cases: p.cases.filter(() => n++ % shard.count === shard.index - 1) }))
    .filter((p) => p.cases.length > 0);
}

export function newRunId(now: Date = new Date()): string {
  return `${now.toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z')}-${process.pid}`;
}

/**
 * Runs every case (in order, or on `jobs` rigs at once, each taking the next case when free) and writes the
 * reports: reports/<run>/ (per-case files, junit.xml, results.json with the run's cut latency and coverage) and
 * reports/junit.xml (the latest run, where nightly CI looks).
 */
export async function run(options: RunOptions, plan: PlannedScenario[] = planRun(options)): Promise<RunResult> {
  const started = new Date();
  const t0 = performance.now();
  const reportDir = resolve(options.cwd ?? process.cwd(), options.reportDir);
  const runId = newRunId(started);
  const runDir = join(reportDir, runId);
  checkOutputDir(reportDir, { file: 'command line', field: '--report-dir' }, 'reports');
  const root = new Project(options.cwd).root;
  writableStateRoot(root);
  try {
    mkdirSync(runDir, { recursive: true });
  } catch (err) {
    throw new RigError('reports', `cannot create the report directory ${runDir}: ${(err as Error).message}`, { cause: err });
  }
  const cases: CaseResult[] = [];
  let total = plan.reduce((n, p) => n + p.cases.length, 0);
  let index = 0;
  const progress = new RunProgress({ runId, startedAt: started.toISOString(), dir: runDir }, join(reportDir, 'junit.xml'), options.log, t0);
  // On disk before it is printed: whatever the run's end, a case seen to end is in the reports.
  const ended = (result: CaseResult, n: number, print = true) => {
    cases.push(result);
    progress.caseEnded(result);
    if (print) options.onCaseEnd?.(result, n, total);
  };
  const quarantine = new Quarantine(root);
  const leases = new Map<string, RigLease>();
  const kept = new KeptRigs();
  try {
    for (const [at, { scenario, rig: planned, cases: specs, jobRigs: slots = [{ rig: planned }], cuttable = [] }] of plan.entries()) {
      // Rigs are gated one at a time: copies of a virtual rig share one lease.
      const blockedBy = new Map<string, Blocked | undefined>();
      for (const { rig } of slots) if (!blockedBy.has(rig.name)) blockedBy.set(rig.name, await rigGate(rig.name, { ...options, root, runId, quarantine, leases }));
      const sweep = options.untilCoverage ? new CoverageSweep(scenario, specs, cuttable, options.maxCases) : undefined;
      // An open-ended hit sweep, unless --param/--case fixed the hits.
      const hitSweep = scenario.hitSweep && !options.overrides?.[scenario.hitSweep.param] && !options.only?.length ? new HitSweep({ ...scenario, hitSweep: scenario.hitSweep }, specs) : undefined;
      const queue = [...specs];
      const nextCase = () => queue.shift() ?? (options.signal.aborted ? undefined : (hitSweep?.next() ?? sweep?.next(cases)));
      await runJobs(slots.length, nextCase, async (spec, job) => {
        const { rig, instance } = slots[job]!;
        const n = ++index;
        total = Math.max(total, n);
        if (options.signal.aborted) {
          ended(skipped(spec, scenario, rig, 'not run: the run was interrupted'), n, false);
          return;
        }
        const blocked = blockedBy.get(rig.name);
        if (blocked) {
          const result: CaseResult = { ...skipped(spec, scenario, rig, blocked.message), status: blocked.status, properties: { rig: rig.name, ...blocked.properties } };
          ended(result, n);
          return;
        }
        options.onCaseStart?.(spec, n, total, instance ?? rig.name);
        const caseOptions = { scenario, rig, instance, spec, runDir, signal: options.signal, log: options.log, onStep: (i: number, d: string) => options.onStep?.(spec, i, d), kept: kept.of(rig, instance) };
        const result = await runAttempts(caseOptions, options.retries ?? 0, (r) => {
          if (options.signal.aborted || r.status === 'skipped') return false;
          const q = quarantine.record(rig.name, r.status, r.message, options.quarantineAfter ?? DEFAULT_QUARANTINE_AFTER);
          if (q) {
            const block = quarantineBlock(rig.name, q.consecutiveErrors, q.quarantinedAt!, q.lastError);
            blockedBy.set(rig.name, block);
            options.log(block.message.replace(/^not run: /, ''));
          }
          return blockedBy.get(rig.name) !== undefined;
        });
        // A rig error may have left the kept board in a bad way: the next case starts from scratch.
        if (result.status === 'error') await kept.close(rig, instance);
        if (hitSweep?.settle(result)) writeReportFile(join(runDir, result.dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
        ended(result, n);
      });
      if (sweep && !options.signal.aborted) {
        const uncut = sweep.uncut(cases);
        if (uncut.length) options.log(`--until-coverage: stopped at ${options.maxCases ?? DEFAULT_MAX_CASES} cases of ${scenario.name}; never cut in: ${uncut.join(', ')}`);
      }
      // The lease is held across scenarios on the same rig, so no other runner slips in between them.
      for (const name of blockedBy.keys()) {
        if (plan.slice(at + 1).some((p) => (p.jobRigs ?? [{ rig: p.rig }]).some((j) => j.rig.name === name))) continue;
        await kept.closeRig(name);
        leases.get(name)?.release();
        leases.delete(name);
      }
    }
  } finally {
    await kept.closeAll();
    for (const lease of leases.values()) lease.release();
  }
  const reason = options.signal.aborted ? options.signal.reason : undefined;
  const result: RunResult = {
    runId,
    startedAt: started.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    dir: runDir,
    cases,
    interrupted: reason instanceof Interrupted ? reason.signal : undefined,
    cutLatency: cutLatency(cases),
    coverage: runCoverage(cases),
  };
  // Each report is tried even when one fails (a full disk may still take a small file), and the run's result
  // still reaches the caller to print: what could not be written is listed, not thrown.
  const reportErrors: string[] = [];
  const attempt = (write: () => void) => {
    try {
      write();
    } catch (err) {
      if (!(err instanceof RigError)) throw err;
      reportErrors.push(err.message);
    }
  };
  for (const file of [join(runDir, 'junit.xml'), join(reportDir, 'junit.xml')]) attempt(() => writeJunit(result, file));
  attempt(() => writeJsonReport(result, join(runDir, 'results.json')));
  attempt(() => writeHtmlReport(result, reportDir));
  if (reportErrors.length) result.reportErrors = reportErrors;
  return result;
}

interface Blocked {
  status: 'error' | 'skipped';
  message: string;
  properties?: Record<string, string>;
}

function quarantineBlock(rig: string, errors: number, since: string, lastError: string | undefined): Blocked {
  return {
    status: 'skipped',
    message: `not run: rig ${rig} is quarantined since ${since} after ${errors} rig errors in a row${lastError ? ` (last: ${lastError})` : ''}; fix it, then \`hil rig check ${rig}\` puts it back in service`,
    properties: { quarantined: 'true' },
  };
}

/** Takes the rig's lease (unless this run holds it already); says why its cases cannot run, if they cannot. */
async function rigGate(
  rig: string,
  o: RunOptions & { root: string; runId: string; quarantine: Quarantine; leases: Map<string, RigLease> },
): Promise<Blocked | undefined> {
  const q = o.ignoreQuarantine ? undefined : o.quarantine.quarantined(rig);
  if (q) return quarantineBlock(rig, q.consecutiveErrors, q.quarantinedAt!, q.lastError);
  if (o.leases.has(rig)) return undefined;
  try {
    o.leases.set(rig, await RigLease.acquire({ dir: leaseDir(o.root), rig, run: o.runId, waitMs: o.waitMs, signal: o.signal, log: o.log }));
    return undefined;
  } catch (error) {
    if (o.signal.aborted) return undefined; // the case loop reports the interruption
    if (error instanceof RigError) return { status: 'error', message: error.message, properties: { lease: 'busy' } };
    throw error;
  }
}

/**
 * Runs a case, and again while it errors (up to `retries` more times), keeping each earlier attempt's folder as
 * `<case>.attempt-N`. Every attempt is in the properties; a pass after an error is marked flaky, never hidden.
 * `stop` sees each attempt and says when retrying must end (the rig was just quarantined).
 */
async function runAttempts(options: CaseRunOptions, retries: number, stop: (attempt: CaseResult) => boolean): Promise<CaseResult> {
  const attempts: CaseResult[] = [];
  for (;;) {
    const result = await runCase(options);
    attempts.push(result);
    const halt = stop(result);
    if (result.status !== 'error' || attempts.length > retries || halt || options.signal.aborted) break;
    const kept = `${result.dir}.attempt-${attempts.length}`;
    renameSync(join(options.runDir, result.dir), join(options.runDir, kept));
    result.dir = kept;
    options.log(`rig error, retrying ${result.id} (attempt ${attempts.length + 1} of ${retries + 1}): ${result.message ?? ''}`);
  }
  const final = attempts.at(-1)!;
  if (attempts.length === 1) return final;
  const record: Record<string, string> = { attempts: String(attempts.length) };
  attempts.forEach((a, i) => {
    record[`attempt.${i + 1}.status`] = a.status;
    if (a.message) record[`attempt.${i + 1}.message`] = a.message;
    record[`attempt.${i + 1}.dir`] = a.dir;
  });
  if (final.status === 'pass') record['flaky'] = 'true';
  return { ...final, properties: { ...final.properties, ...record } };
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
