import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { RigError } from '../core/errors.js';
import type { CaseResult } from './CaseResult.js';
import type { RunResult } from './RunResult.js';
import { jsonReportChunks, renderJsonCase } from './json.js';
import { junitChunks, renderJunitCase } from './junit.js';
import { writeCasePage } from './html.js';
import { writeReportFile, writeReportFileAsync } from './writeReportFile.js';

/** The append-only log of a run's finished cases, one CaseResult per line, next to results.json. */
export const RESULTS_LOG = 'results.jsonl';

/**
 * Keeps a run's evidence on disk as each case ends, so a run killed outright (CI's timeout, SIGKILL, the OOM
 * killer, a power loss) still shows what ran: the case is appended to results.jsonl at once, then results.json
 * and both junit.xml files are rewritten whole (temporary file and rename), marked `unfinished` until the run's
 * own end replaces them; `caseEnded` resolves once they hold the case, and the run prints a case only then. Each
 * case is rendered once, for the first rewrite that holds it: rendering every case again at each rewrite grew
 * with the run (130 ms of CPU per case at 553 cases). The rewrites go to libuv's threads, not the event loop
 * every job shares: at 500 cases the files are 8 MB, and writing them there stalled the other jobs' consoles and
 * cuts ~20 ms per case. One rewrite runs at a time, a turn of the event loop after the case ended (the job's
 * next case starts first); cases that end meanwhile share it. A file that cannot be written is said once; the
 * run goes on. The case's HTML page is written then too (`pagesWritten`): the run's end renders only the pages
 * that could not be.
 */
export class RunProgress {
  private readonly cases: CaseResult[] = [];
  /** Each case as results.json and junit.xml hold it, rendered and encoded once. */
  private readonly jsonCases: Buffer[] = [];
  private readonly junitCases = new Map<CaseResult, Buffer>();
  private failedWrite = false;
  /** The cases whose case.html is on disk. */
  readonly pagesWritten = new Set<CaseResult>();
  private readonly pageWrites: Array<Promise<void>> = [];
  /** The latest rewrite asked for: it starts once the one before it is done. */
  private written: Promise<void> = Promise.resolve();
  /** A rewrite asked for and not started yet: a case ending now is in it. */
  private next?: Promise<void>;

  constructor(
    private readonly run: Omit<RunResult, 'cases' | 'durationMs'>,
    /** reports/junit.xml, the latest run's; none for a run that must not replace it. */
    private readonly latestJunit: string | undefined,
    private readonly log: (message: string) => void,
    private readonly t0: number = performance.now(),
  ) {
    // A run killed before its first case ended still leaves a results.json that says so.
    const { json, junit } = this.documents();
    this.attempt(() => writeReportFile(join(this.run.dir, 'results.json'), json));
    for (const file of this.junitFiles()) this.attempt(() => writeReportFile(file, junit));
  }

  /** Resolves once results.json and both junit.xml hold the case (and every case that ended before it). */
  caseEnded(result: CaseResult): Promise<void> {
    this.cases.push(result);
    this.attempt(() => {
      try {
        appendFileSync(join(this.run.dir, RESULTS_LOG), `${JSON.stringify(result)}\n`);
      } catch (err) {
        throw new RigError('reports', `cannot append to ${join(this.run.dir, RESULTS_LOG)}: ${(err as Error).message}`, { cause: err });
      }
    });
    // The rest waits a turn: the job's next case starts first. A page that cannot be written is not said: the
    // run's end writes it again and names what it could not write.
    if (result.dir) {
      const written = () => void this.pagesWritten.add(result);
      this.pageWrites.push(
        nextTurn()
          .then(() => writeCasePage(this.run, result))
          .then(written, () => undefined),
      );
    }
    if (!this.next) {
      this.next = this.written.then(nextTurn).then(() => {
        this.next = undefined;
        return this.rewrite();
      });
      this.written = this.next;
    }
    return this.next;
  }

  /** Resolves once every rewrite and page asked for is done: the run's own end writes the files next. */
  async idle(): Promise<void> {
    await Promise.all([this.written, ...this.pageWrites]);
  }

  /** The documents as of now: every case that ended so far, each rendered the first time it is in them. */
  private documents(): { json: Buffer[]; junit: Buffer[] } {
    for (const c of this.cases.slice(this.jsonCases.length)) {
      this.jsonCases.push(Buffer.from(renderJsonCase(c)));
      this.junitCases.set(c, Buffer.from(renderJunitCase(c)));
    }
    const partial: RunResult = {
      ...this.run,
      cases: [...this.cases],
      durationMs: Math.round(performance.now() - this.t0),
      unfinished: true,
    };
    return {
      json: jsonReportChunks(partial, this.jsonCases),
      junit: junitChunks(partial, (c) => this.junitCases.get(c) ?? Buffer.from(renderJunitCase(c))),
    };
  }

  private junitFiles(): string[] {
    return [join(this.run.dir, 'junit.xml'), ...(this.latestJunit ? [this.latestJunit] : [])];
  }

  private async rewrite(): Promise<void> {
    const { json, junit } = this.documents();
    const [runJunit, ...latest] = this.junitFiles();
    await this.attemptAsync(writeReportFileAsync(join(this.run.dir, 'results.json'), json));
    await this.attemptAsync(writeReportFileAsync(runJunit!, junit, latest));
  }

  private attempt(write: () => void): void {
    try {
      write();
    } catch (err) {
      this.failed(err);
    }
  }

  private async attemptAsync(write: Promise<void>): Promise<void> {
    await write.catch((err: unknown) => this.failed(err));
  }

  private failed(err: unknown): void {
    if (!(err instanceof RigError)) throw err;
    if (!this.failedWrite) this.log(`${err.message} (the run goes on; its reports are tried again at its end)`);
    this.failedWrite = true;
  }
}

/** After what the event loop has to do now (I/O callbacks, a job starting its next case). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
