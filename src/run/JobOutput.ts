/**
 * What one job of a run tells the run's callbacks (a case's start, its timeline events, its log lines, its end),
 * in the order it happens, held back while the reports of the job's last case are being written: a case is
 * printed as ended only once the reports hold it, and meanwhile the job's next case runs instead of waiting for
 * the disk (at 500 cases a rewrite of results.json and junit.xml is ~8 MB).
 */
export class JobOutput {
  private queue: Promise<void> = Promise.resolve();
  /** Calls waiting in `queue`: while any is, later ones wait behind them. */
  private waiting = 0;
  private thrown?: { error: unknown };

  /** Calls `say` now, or once what is held back before it was said. */
  say(say: () => void): void {
    if (this.waiting === 0) say();
    else this.enqueue(async () => say());
  }

  /** Holds back what the job says from now on until `written` resolves, then calls `say` first. */
  after(written: Promise<void>, say: () => void): void {
    this.enqueue(async () => {
      await written;
      say();
    });
  }

  /** Resolves once everything held back was said; throws the first error a held-back call threw. */
  async idle(): Promise<void> {
    await this.queue;
    if (this.thrown) throw this.thrown.error;
  }

  private enqueue(call: () => Promise<void>): void {
    this.waiting++;
    this.queue = this.queue
      .then(call)
      .catch((error: unknown) => {
        this.thrown ??= { error };
      })
      .finally(() => {
        this.waiting--;
      });
  }
}
