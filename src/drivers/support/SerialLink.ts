import { SerialPort } from 'serialport';
import { RigError } from '../../core/errors.js';

/**
 * A command/response serial connection to a relay board (Numato, LCUS): opened once, held for the run,
 * and every exchange bounded by a timeout so a silent board becomes a RigError, never a hang.
 * Several outputs on one board share one link (see `sharedSerialLink`); `exclusive` keeps their exchanges apart.
 */
export class SerialLink {
  private port?: SerialPort;
  private received = Buffer.alloc(0);
  private waiter?: () => void;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly part: string,
    readonly path: string,
    private readonly baudRate: number,
  ) {}

  /** Runs one exchange after the previous one finished, whichever output started it; errors name `part`. */
  exclusive<T>(part: string, work: () => Promise<T>): Promise<T> {
    const relabelled = () =>
      work().catch((err: unknown) => {
        if (err instanceof RigError && err.part !== part) throw new RigError(part, err.message, { detail: err.detail, cause: err.cause });
        throw err;
      });
    const next = this.queue.then(relabelled, relabelled);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async open(): Promise<void> {
    if (this.port?.isOpen) return;
    const port = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((err) =>
        err ? reject(new RigError(this.part, `cannot open ${this.path}: ${err.message}`, { detail: err.message, cause: err })) : resolve(),
      ),
    );
    port.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.waiter?.();
    });
    // A board unplugged mid-run surfaces on the next exchange as a write error or a timeout.
    port.on('error', () => undefined);
    this.port = port;
  }

  /** Drops whatever the board sent unasked (echo of an earlier line, a banner). */
  discard(): void {
    this.received = Buffer.alloc(0);
  }

  async write(data: string | Uint8Array): Promise<void> {
    const port = this.port;
    if (!port) throw new RigError(this.part, `${this.path} is not open`);
    await new Promise<void>((resolve, reject) => {
      port.write(data, (err) =>
        err ? reject(new RigError(this.part, `write to ${this.path} failed: ${err.message}`, { cause: err })) : undefined,
      );
      port.drain((err) =>
        err ? reject(new RigError(this.part, `write to ${this.path} failed: ${err.message}`, { cause: err })) : resolve(),
      );
    });
  }

  /** Resolves with everything received once `done` holds for it; a RigError naming `what` after `timeoutMs`. */
  async readUntil(done: (received: Buffer) => boolean, timeoutMs: number, what: string): Promise<Buffer> {
    const deadline = performance.now() + timeoutMs;
    while (!done(this.received)) {
      const left = deadline - performance.now();
      if (left <= 0) {
        const got = this.received.length ? `got ${JSON.stringify(this.received.toString('latin1'))}` : 'got nothing';
        throw new RigError(this.part, `${this.path}: no answer to ${what} within ${timeoutMs}ms`, { detail: got });
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    const out = this.received;
    this.received = Buffer.alloc(0);
    return out;
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}

/** The one link to a board at `path` in this rig: relay channels of one board share its port. */
export function sharedSerialLink(
  ctx: { part: string; shared<T>(key: string, create: () => T): T },
  path: string,
  baudRate: number,
): SerialLink {
  return ctx.shared(`serial-link:${path}`, () => new SerialLink(ctx.part, path, baudRate));
}
