import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { toFileName } from '../config/fileName.js';
import { Project } from '../config/Project.js';
import { Interrupted, RigError } from '../core/errors.js';
import { checkOutputDir } from '../core/outputDir.js';
import { writableStateRoot } from '../core/stateRoot.js';
import { checkRigState } from '../rig/rigState.js';
import type { ExpectationSpec } from '../expect/ExpectationModel.js';
import type { CaseResult } from '../report/CaseResult.js';
import { cutLatency } from '../report/cutLatency.js';
import { runCoverage } from '../report/coverage.js';
import { RunProgress } from '../report/RunProgress.js';
import type { RunResult } from '../report/RunResult.js';
import { KeptRigs } from '../rig/KeptRigs.js';
import { Quarantine } from '../rig/Quarantine.js';
import type { RigLease } from '../rig/RigLease.js';
import type { RigSpec } from '../rig/RigSpec.js';
import { LiveCase } from '../run/LiveCase.js';
import { rigGate } from '../run/rigGate.js';
import { newRunId } from '../run/Run.js';
import { writeReports } from '../report/writeReports.js';
import { Board, noModel } from './Board.js';
import { watchInterrupts } from './interrupts.js';
import { loadModel, loadRig } from './load.js';

export interface LeaseRigOptions {
  /** Where names are looked up and relative paths resolved from; default: process.cwd(). */
  cwd?: string;
  /** Folder of the reports (as `hil run --report-dir`), relative to `cwd`; default `$HIL_REPORT_DIR` or `reports`. */
  reportDir?: string;
  /** Names the run's folder, `reports/<time>-<pid>-<label>` (a test file's name). */
  label?: string;
  /** How long to queue for a rig another run holds (ms); default `$HIL_WAIT` seconds, else 0: fail at once. */
  waitMs?: number;
  /** Aborting it stops what the board is doing; the case ends as interrupted. */
  signal?: AbortSignal;
  /** Power off, release the rig and write the reports on SIGINT/SIGTERM, then let the signal go on; default true. */
  handleSignals?: boolean;
  /** Progress messages (a lease taken over, queueing for a rig); default: none. */
  log?(message: string): void;
}

export interface BoardOptions {
  /** Expectation model run alongside: a scenario (name or path), a model file, or one already loaded. */
  model?: string | ExpectationSpec;
  /** Facts about the case for its report and JUnit (`param.<name>` properties). */
  params?: Record<string, string>;
  /**
   * Whether an error a board call throws (a timed-out expect, a rig error) fails the case by itself. A test
   * runner's fixture says no and hands the test's own outcome to `close` instead. Default true.
   */
  errorsFail?: boolean;
}

/**
 * A rig leased for a series of boards (a test file's tests): the lease `hil run` takes, so two runs never share a
 * rig, held until `close`; the virtual board's emulator is kept between the cases, as a run keeps it. Each
 * board is one case of the run, with its folder under reports/<run>/ as `hil run` writes it.
 */
export class LeasedRig {
  readonly runId: string;
  readonly runDir: string;
  private readonly cases: CaseResult[] = [];
  private readonly progress: RunProgress;
  private readonly kept = new KeptRigs();
  private readonly abort = new AbortController();
  private readonly dirNames = new Set<string>();
  private readonly unwatch: () => void;
  private readonly startedAt = new Date();
  private readonly t0 = performance.now();
  private current?: Board;
  private closing?: Promise<RunResult>;

  private constructor(
    readonly rig: RigSpec,
    private readonly lease: RigLease,
    private readonly reportDir: string,
    run: { runId: string; runDir: string },
    private readonly options: LeaseRigOptions,
  ) {
    this.runId = run.runId;
    this.runDir = run.runDir;
    this.progress = new RunProgress(
      { runId: this.runId, startedAt: this.startedAt.toISOString(), dir: this.runDir },
      undefined,
      this.log,
      this.t0,
    );
    options.signal?.addEventListener('abort', () => this.abort.abort(options.signal!.reason), { once: true });
    this.unwatch = options.handleSignals === false ? () => undefined : watchInterrupts(this);
  }

  /** Loads the rig (name or path), checks where reports go, takes its lease; throws ConfigError or RigError. */
  static async open(ref: string, options: LeaseRigOptions = {}): Promise<LeasedRig> {
    const rig = loadRig(ref, { cwd: options.cwd });
    const reportDir = resolve(options.cwd ?? process.cwd(), options.reportDir ?? process.env['HIL_REPORT_DIR'] ?? 'reports');
    checkOutputDir(reportDir, { file: 'options', field: 'reportDir' }, 'reports');
    const root = new Project(options.cwd).root;
    checkRigState(rig, writableStateRoot(root));
    const run = makeRunDir(reportDir, options.label);
    const leases = new Map<string, RigLease>();
    const waitMs = options.waitMs ?? Number(process.env['HIL_WAIT'] ?? 0) * 1000;
    const signal = options.signal ?? new AbortController().signal;
    const log = options.log ?? (() => undefined);
    try {
      const blocked = await rigGate(rig.name, { waitMs, signal, log, root, runId: run.runId, quarantine: new Quarantine(root), leases });
      signal.throwIfAborted();
      if (blocked) throw new RigError('lease', blocked.message.replace(/^not run: /, ''));
    } catch (err) {
      leases.get(rig.name)?.release();
      rmSync(run.runDir, { recursive: true, force: true });
      throw err;
    }
    return new LeasedRig(rig, leases.get(rig.name)!, reportDir, run, options);
  }

  private readonly log = (message: string) => this.options.log?.(message);

  /**
   * Leases the rig and opens a board on it for one case; closing the board releases the rig and writes the
   * run's reports (see `close`).
   */
  static async openBoard(ref: string, options: LeaseRigOptions & BoardOptions & { name?: string } = {}): Promise<Board> {
    const leased = await LeasedRig.open(ref, { ...options, label: options.label ?? options.name });
    try {
      return await leased.openCase(options.name ?? 'board', options, () => leased.close());
    } catch (err) {
      await leased.close().catch(() => undefined);
      throw err;
    }
  }

  /** Starts a case named `name` on the rig: its console open, nothing switched yet. One board at a time. */
  board(name: string, options: BoardOptions = {}): Promise<Board> {
    return this.openCase(name, options);
  }

  private async openCase(name: string, options: BoardOptions, after?: () => Promise<unknown>): Promise<Board> {
    if (this.closing) throw new Error(`rig ${this.rig.name} is closed`);
    if (this.current && !this.current.closed) throw new Error(`a board of rig ${this.rig.name} is open already: close it first`);
    const model = typeof options.model === 'string' ? loadModel(options.model, { cwd: this.options.cwd }) : options.model;
    let id = name;
    for (let n = 2; this.dirNames.has(toFileName(id, 'case')); n++) id = `${name} #${n}`;
    this.dirNames.add(toFileName(id, 'case'));
    const live = new LiveCase({
      scenario: this.options.label ?? 'board',
      expect: model ?? noModel,
      noCoverage: !model,
      scenarioDir: this.options.cwd ?? process.cwd(),
      rig: this.rig,
      spec: { id, params: options.params ?? {} },
      runDir: this.runDir,
      signal: this.abort.signal,
      log: this.log,
      kept: this.kept.of(this.rig, undefined),
    });
    const board = new Board(live, {
      hasModel: Boolean(model),
      errorsFail: options.errorsFail ?? true,
      ended: (r) => this.caseEnded(r),
      after,
    });
    this.current = board;
    await board.open();
    return board;
  }

  private async caseEnded(result: CaseResult): Promise<void> {
    this.cases.push(result);
    await this.progress.caseEnded(result);
    // A rig error may have left the kept board in a bad way: the next case starts from scratch.
    if (result.status === 'error') await this.kept.close(this.rig, undefined);
  }

  /** Ctrl-C: the open board's case ends as interrupted (power off), then the rig is let go. */
  async interrupt(signal: NodeJS.Signals): Promise<void> {
    this.abort.abort(new Interrupted(signal));
    await this.current?.close().catch(() => undefined);
    await this.close().catch(() => undefined);
  }

  /**
   * Ends the open board's case if any, closes the rig's kept objects, releases the lease and writes the run's
   * reports (results.json, junit.xml, index.html in its folder; reports/index.html). Idempotent.
   */
  close(): Promise<RunResult> {
    this.closing ??= (async () => {
      try {
        // A board closing this rig (openBoard) is past its case's end already.
        if (this.current && !this.current.closed) await this.current.close().catch(() => undefined);
        await this.kept.closeAll();
      } finally {
        this.lease.release();
        this.unwatch();
        await this.progress.idle();
      }
      const reason: unknown = this.abort.signal.aborted ? this.abort.signal.reason : undefined;
      const result: RunResult = {
        runId: this.runId,
        startedAt: this.startedAt.toISOString(),
        durationMs: Math.round(performance.now() - this.t0),
        dir: this.runDir,
        cases: this.cases,
        interrupted: reason instanceof Interrupted ? reason.signal : undefined,
        cutLatency: cutLatency(this.cases),
        coverage: runCoverage(this.cases),
      };
      writeReports(result, this.reportDir, { latestJunit: false, casePagesWritten: this.progress.pagesWritten });
      return result;
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** reports/<time>-<pid>[-label], made fresh: two rigs leased in one second by one process get two folders. */
function makeRunDir(reportDir: string, label: string | undefined): { runId: string; runDir: string } {
  const base = `${newRunId()}${label ? `-${toFileName(label, 'run')}` : ''}`;
  mkdirSync(reportDir, { recursive: true });
  for (let n = 1; ; n++) {
    const runId = n === 1 ? base : `${base}-${n}`;
    const runDir = join(reportDir, runId);
    try {
      mkdirSync(runDir);
      return { runId, runDir };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new RigError('reports', `cannot create the report directory ${runDir}: ${(err as Error).message}`, { cause: err });
    }
  }
}
