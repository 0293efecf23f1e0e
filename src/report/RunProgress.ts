import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { RigError } from '../core/errors.js';
import type { CaseResult } from './CaseResult.js';
import type { RunResult } from './RunResult.js';
import { jsonReportChunks, renderJsonCase } from './json.js';
import { junitChunks, renderJunitCase } from './junit.js';
import { writeReportFile } from './writeReportFile.js';

/** The append-only log of a run's finished cases, one CaseResult per line, next to results.json. */
export const RESULTS_LOG = 'results.jsonl';

/**
 * Keeps a run's evidence on disk as each case ends, so a run killed outright (CI's timeout, SIGKILL, the OOM
 * killer, a power loss) still shows what ran: the case is appended to results.jsonl, then results.json and
 * both junit.xml files are rewritten whole (temporary file and rename), marked `unfinished` until the run's
 * own end replaces them. Each case is rendered once, when it ends: rendering every case again at each rewrite
 * grew with the run (130 ms of CPU per case at 553 cases, blocking the event loop every job shares). A file that
 * cannot be written is said once; the run goes on.
 */
export class RunProgress {
  private readonly cases: CaseResult[] = [];
  /** Each case as results.json and junit.xml hold it, rendered and encoded as it ended. */
  private readonly jsonCases: Buffer[] = [];
  private readonly junitCases = new Map<CaseResult, Buffer>();
  private failedWrite = false;

  constructor(
    private readonly run: Omit<RunResult, 'cases' | 'durationMs'>,
    /** reports/junit.xml, the latest run's; none for a run that must not replace it. */
    private readonly latestJunit: string | undefined,
    private readonly log: (message: string) => void,
    private readonly t0: number = performance.now(),
  ) {
    // A run killed before its first case ended still leaves a results.json that says so.
    this.rewrite();
  }

  caseEnded(result: CaseResult): void {
    this.cases.push(result);
    this.jsonCases.push(Buffer.from(renderJsonCase(result)));
    this.junitCases.set(result, Buffer.from(renderJunitCase(result)));
    this.attempt(() => {
      try {
        appendFileSync(join(this.run.dir, RESULTS_LOG), `${JSON.stringify(result)}\n`);
      } catch (err) {
        throw new RigError('reports', `cannot append to ${join(this.run.dir, RESULTS_LOG)}: ${(err as Error).message}`, { cause: err });
      }
    });
    this.rewrite();
  }

  private rewrite(): void {
    const partial: RunResult = {
      ...this.run,
      cases: [...this.cases],
      durationMs: Math.round(performance.now() - this.t0),
      unfinished: true,
    };
    this.attempt(() => writeReportFile(join(this.run.dir, 'results.json'), jsonReportChunks(partial, this.jsonCases)));
    const junit = junitChunks(partial, (c) => this.junitCases.get(c) ?? Buffer.from(renderJunitCase(c)));
    for (const file of [join(this.run.dir, 'junit.xml'), ...(this.latestJunit ? [this.latestJunit] : [])])
      this.attempt(() => writeReportFile(file, junit));
  }

  private attempt(write: () => void): void {
    try {
      write();
    } catch (err) {
      if (!(err instanceof RigError)) throw err;
      if (!this.failedWrite) this.log(`${err.message} (the run goes on; its reports are tried again at its end)`);
      this.failedWrite = true;
    }
  }
}
