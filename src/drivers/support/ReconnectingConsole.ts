import { formatDuration } from '../../core/duration.js';
import { RigError } from '../../core/errors.js';
import type { DriverContext } from '../../protocols/DriverContext.js';
import type { Console, ConsoleListener } from '../../protocols/Console.js';
import { LineSplitter, type ConsoleEncoding } from './LineSplitter.js';

/** One open connection to the console's device or socket. */
export interface ConsoleLink {
  write(data: Buffer): Promise<void>;
  /** Closes without reporting `closed` to the handlers. */
  close(): Promise<void>;
}

export interface LinkHandlers {
  data(chunk: Buffer): void;
  /** The link dropped by itself (device gone, peer closed); called at most once. */
  closed(reason: string): void;
}

/** Where a console connects to: a serial device path, a TCP port. */
export interface ConsoleEndpoint {
  /** `/dev/ttyUSB0`, `127.0.0.1:3001`: named in errors. */
  readonly name: string;
  /** Opens a link; rejects with a RigError saying why it cannot. */
  connect(handlers: LinkHandlers, timeoutMs: number): Promise<ConsoleLink>;
  /** Cheap test of whether connecting is worth trying yet (a device path exists). */
  present?(): boolean;
}

export interface ReconnectOptions {
  /** How long the endpoint may stay gone after a drop before the console has failed. */
  reopenMs: number;
  encoding?: ConsoleEncoding;
  maxLine?: number;
}

type State = 'closed' | 'open' | 'gap' | 'failed';

/** Time between reconnect attempts: a re-enumerated USB-serial is back within tens of ms of its link appearing. */
const POLL_MS = 25;
/** Limit for the first connect (a TCP host that drops packets). */
const OPEN_TIMEOUT_MS = 5000;

/**
 * A console that survives its endpoint going away and coming back: a USB-serial adapter re-enumerating after a
 * power cut, a /dev/serial/by-id link re-pointed to a new pty, ser2net restarting. On a drop it flushes the
 * partial line, reports a gap, polls the endpoint and reports the resume with the gap's length; if the endpoint
 * is not back within `reopenMs` the console has failed (a rig error) and says so once, to listeners and writers.
 */
export class ReconnectingConsole implements Console {
  private readonly listeners = new Set<ConsoleListener>();
  private readonly splitter: LineSplitter;
  private state: State = 'closed';
  private link?: ConsoleLink;
  /** Bumped per link, so data or a drop from a link we already left is ignored. */
  private generation = 0;
  private gapStartedAt = 0;
  private lastReason = '';
  private retryTimer?: NodeJS.Timeout;
  private error?: RigError;
  private waiters: Array<{ resolve(): void; reject(err: RigError): void }> = [];

  constructor(
    readonly description: string,
    private readonly endpoint: ConsoleEndpoint,
    private readonly options: ReconnectOptions,
    private readonly ctx: DriverContext,
  ) {
    this.splitter = new LineSplitter(
      { line: (line) => this.emit((l) => l.line?.(line)), segment: (segment) => this.emit((l) => l.segment?.(segment)) },
      options,
    );
  }

  async open(): Promise<void> {
    if (this.state === 'open' || this.state === 'gap') return;
    if (this.state === 'failed') throw this.error!;
    this.link = await this.connect(OPEN_TIMEOUT_MS);
    this.state = 'open';
  }

  /** The RigError this console failed with, once it was gone longer than its reopen timeout. */
  failed(): RigError | undefined {
    return this.error;
  }

  async write(data: string | Uint8Array): Promise<void> {
    if (this.state === 'closed') throw new RigError(this.ctx.part, `console ${this.endpoint.name} is not open`);
    // Bytes written into a gap would be lost: wait until the console is back (bounded by the reopen timeout).
    if (this.state === 'gap') await new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.state === 'failed') throw this.error!;
    try {
      await this.link!.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data));
    } catch (err) {
      if (err instanceof RigError) throw err;
      throw new RigError(this.ctx.part, `write to ${this.endpoint.name} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.retryTimer);
    const link = this.link;
    this.link = undefined;
    const wasFailed = this.state === 'failed';
    this.state = 'closed';
    // A close that fails leaves nothing to do: the device is gone either way.
    await link?.close().catch(() => undefined);
    this.generation++;
    this.splitter.flush(this.ctx.timeline.now(), true);
    if (!wasFailed) this.settleWaiters(new RigError(this.ctx.part, `console ${this.endpoint.name} was closed`));
  }

  subscribe(listener: ConsoleListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private connect(timeoutMs: number): Promise<ConsoleLink> {
    const generation = ++this.generation;
    return this.endpoint.connect(
      {
        data: (chunk) => {
          if (generation === this.generation) this.splitter.push(chunk, this.ctx.timeline.now());
        },
        closed: (reason) => {
          if (generation === this.generation) this.dropped(reason);
        },
      },
      timeoutMs,
    );
  }

  private dropped(reason: string): void {
    if (this.state !== 'open') return;
    const t = this.ctx.timeline.now();
    this.link = undefined;
    this.generation++;
    this.splitter.flush(t);
    this.state = 'gap';
    this.gapStartedAt = t;
    this.lastReason = reason;
    this.ctx.timeline.record('console-gap', { part: this.ctx.part, path: this.endpoint.name, reason }, t);
    this.emit((l) => l.gap?.({ t, reason }));
    this.retry();
  }

  private retry(): void {
    this.retryTimer = setTimeout(() => void this.reconnect(), POLL_MS);
  }

  private async reconnect(): Promise<void> {
    if (this.state !== 'gap') return;
    const left = this.options.reopenMs - (this.ctx.timeline.now() - this.gapStartedAt);
    if (left <= 0) return this.fail();
    if (this.endpoint.present?.() === false) return this.retry();
    let link: ConsoleLink;
    try {
      link = await this.connect(left);
    } catch (err) {
      this.lastReason = (err as Error).message;
      return this.state === 'gap' ? this.retry() : undefined;
    }
    if (this.state !== 'gap') {
      await link.close().catch(() => undefined);
      return;
    }
    const t = this.ctx.timeline.now();
    const gapMs = Math.round((t - this.gapStartedAt) * 1000) / 1000;
    this.link = link;
    this.state = 'open';
    this.ctx.timeline.record('console-resume', { part: this.ctx.part, path: this.endpoint.name, gapMs }, t);
    this.emit((l) => l.resume?.({ t, gapMs }));
    this.settleWaiters();
  }

  private fail(): void {
    const t = this.ctx.timeline.now();
    this.state = 'failed';
    this.error = new RigError(this.ctx.part, `console ${this.endpoint.name} gone for ${formatDuration(this.options.reopenMs)}`, {
      detail: `last error: ${this.lastReason}`,
    });
    this.ctx.timeline.record('console-failed', { part: this.ctx.part, path: this.endpoint.name, message: this.error.message }, t);
    this.emit((l) => l.failed?.({ t, error: this.error! }));
    this.settleWaiters(this.error);
  }

  private settleWaiters(error?: RigError): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }

  /** A listener that throws must not stop the console (nor crash the read loop it is called from). */
  private emit(call: (listener: ConsoleListener) => void): void {
    for (const listener of this.listeners) {
      try {
        call(listener);
      } catch (err) {
        this.ctx.log(`${this.ctx.part}: console listener failed: ${(err as Error).message}`);
        this.ctx.timeline.record('console-listener-error', { part: this.ctx.part, error: String((err as Error)?.message ?? err) });
      }
    }
  }
}
