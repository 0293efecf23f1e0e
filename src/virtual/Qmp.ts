import type { Socket } from 'node:net';
import { RigError } from '../core/errors.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * QEMU's machine protocol over a connected socket: JSON objects one per line. Commands carry an id and are
 * answered in order; asynchronous events (RESET, STOP, ...) are skipped unless someone waits for one.
 */
export class Qmp {
  private buffered = '';
  private greeted?: () => void;
  private refused?: (error: Error) => void;
  private readonly greeting: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closedWith?: Error;
  private readonly eventWaiters: Array<{ name: string; resolve(): void; reject(error: Error): void; timer: NodeJS.Timeout }> = [];
  /** Why the guest asked QEMU to shut down (its SHUTDOWN event with `guest: true`), if it did. */
  guestShutdown?: string;
  /** Settles when QEMU's end of the connection is closed: every event it sent has been read. */
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly part: string,
    private readonly timeoutMs = 5000,
  ) {
    this.greeting = new Promise<void>((resolve, reject) => {
      this.greeted = resolve;
      this.refused = reject;
    });
    // Rejected only when the connection drops; handshake() reports it if it is still waiting.
    this.greeting.catch(() => undefined);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', () => undefined);
    this.closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('close', () => this.fail(new RigError(part, 'QEMU closed its QMP connection')));
  }

  /** Waits for the greeting and leaves capabilities negotiation mode. */
  async handshake(): Promise<void> {
    await this.withTimeout(this.greeting, 'QMP greeting');
    await this.execute('qmp_capabilities');
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    const answer = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RigError(this.part, `QEMU did not answer QMP ${command} within ${this.timeoutMs}ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
    });
    this.socket.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\n');
    return answer;
  }

  /** Settles when QEMU next emits the event `name` (ask before the command that causes it). */
  nextEvent(name: string): Promise<void> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        name,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.eventWaiters.splice(this.eventWaiters.indexOf(waiter), 1);
          reject(new RigError(this.part, `no QMP ${name} event from QEMU within ${this.timeoutMs}ms`));
        }, this.timeoutMs),
      };
      this.eventWaiters.push(waiter);
    });
  }

  close(): void {
    this.fail(new RigError(this.part, 'QMP connection closed'));
    this.socket.destroy();
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n')) {
      const line = this.buffered.slice(0, nl).trim();
      this.buffered = this.buffered.slice(nl + 1);
      if (line) this.message(JSON.parse(line) as Record<string, unknown>);
    }
  }

  private message(msg: Record<string, unknown>): void {
    if ('QMP' in msg) return this.greeted?.();
    if (typeof msg['event'] === 'string') {
      const data = msg['data'] as { guest?: boolean; reason?: string } | undefined;
      if (msg['event'] === 'SHUTDOWN' && data?.guest === true) this.guestShutdown = data.reason ?? 'guest-shutdown';
      for (const waiter of this.eventWaiters.filter((w) => w.name === msg['event'])) {
        clearTimeout(waiter.timer);
        this.eventWaiters.splice(this.eventWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      return;
    }
    const waiter = typeof msg['id'] === 'number' ? this.pending.get(msg['id']) : undefined;
    if (!waiter) return;
    this.pending.delete(msg['id'] as number);
    clearTimeout(waiter.timer);
    if ('error' in msg) {
      const error = msg['error'] as { class?: string; desc?: string };
      waiter.reject(new RigError(this.part, `QEMU refused a QMP command: ${error.desc ?? error.class}`, { detail: JSON.stringify(error) }));
    } else {
      waiter.resolve(msg['return']);
    }
  }

  private fail(error: Error): void {
    this.closedWith ??= error;
    this.refused?.(error);
    for (const waiter of this.eventWaiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    for (const [id, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
      this.pending.delete(id);
    }
  }

  private async withTimeout(promise: Promise<void>, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RigError(this.part, `no ${what} from QEMU within ${this.timeoutMs}ms`)), this.timeoutMs);
    });
    try {
      await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
