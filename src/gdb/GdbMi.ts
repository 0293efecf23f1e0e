import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { findOnPath } from '../core/findOnPath.js';
import { formatDuration } from '../core/duration.js';
import { RigError } from '../core/errors.js';
import { diesWithParent, killGroup, trackGroup, untrackGroup } from '../core/processGroups.js';
import type { Timeline } from '../core/Timeline.js';

export interface GdbMiOptions {
  part: string;
  /** The gdb executable. */
  gdb: string;
  timeline: Timeline;
  /** Hard bound on the process's life, whatever it is doing. */
  lifetimeMs: number;
}

export interface CommandOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** A `*stopped` record: the target halted (a breakpoint, an interrupt). */
export interface MiStop {
  /** Timeline time the record arrived: when hil learnt of the halt, the moment it can act. */
  t: number;
  reason?: string;
  /** The frame's address: where the CPU is halted. */
  addr?: number;
  /** The function the frame is in, where the symbols name it. */
  func?: string;
}

interface Pending {
  token: number;
  command: string;
  console: string[];
  resolve(result: { results: string; console: string }): void;
  reject(error: Error): void;
}

interface StopWaiter {
  resolve(stop: MiStop): void;
  reject(error: Error): void;
}

const RESULT = /^(\d+)\^(done|running|connected|error|exit)(?:,(.*))?$/;

/**
 * One gdb kept running for many probe operations, driven through its machine interface (MI): gdb's own start
 * costs more than the operations themselves. Commands are answered by token, in order; `mi-async` lets a running
 * target be interrupted. A command that times out or is aborted kills gdb: the next `start` makes a new one.
 * The process lives in its own group and dies with hil, like QEMU.
 */
export class GdbMi {
  private buffered = '';
  private nextToken = 1;
  private files = 0;
  private pending?: Pending;
  private queue: Promise<unknown> = Promise.resolve();
  private stopWaiters: StopWaiter[] = [];
  private exitedWith?: RigError;
  /** gdb holds a link to a target: a `-target-select` answered `connected` and nothing has dropped it since. */
  private linked = false;
  private readonly lifetime: NodeJS.Timeout;
  private timeline: Timeline;
  readonly exited: Promise<void>;

  private constructor(
    private readonly subprocess: ReturnType<typeof execa>,
    readonly pid: number,
    /** Scratch directory, gdb's working directory: relative file names in commands mean files here. */
    readonly dir: string,
    private readonly o: GdbMiOptions,
  ) {
    this.timeline = o.timeline;
    trackGroup(pid);
    const started = performance.now();
    subprocess.stdout!.setEncoding('utf8');
    subprocess.stdout!.on('data', (chunk: string) => this.receive(chunk));
    let stderr = '';
    subprocess.stderr!.setEncoding('utf8');
    subprocess.stderr!.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4096)));
    subprocess.stdin!.on('error', () => undefined);
    this.exited = new Promise<void>((resolve) => {
      subprocess.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        untrackGroup(pid);
        clearTimeout(this.lifetime);
        killGroup(pid);
        this.timeline.record('proc', {
          phase: 'exit',
          part: o.part,
          cmd: o.gdb,
          pid,
          exitCode: code,
          signal,
          durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        });
        this.gone(new RigError(o.part, `gdb exited (${signal ?? `exit ${code}`})`, { detail: stderr.trim() || undefined }));
        void rm(dir, { recursive: true, force: true }).finally(resolve);
      });
    });
    subprocess.catch(() => undefined);
    this.lifetime = setTimeout(() => this.kill(), o.lifetimeMs);
    this.lifetime.unref();
  }

  static async start(o: GdbMiOptions): Promise<GdbMi> {
    // Looked up first: behind setpriv a missing gdb would only show as setpriv's own failure.
    if (!findOnPath(o.gdb)) throw new RigError(o.part, `${o.gdb}: not found on PATH (install gdb-multiarch)`);
    const dir = await mkdtemp(join(tmpdir(), 'hil-gdb-'));
    const args = [
      '--interpreter=mi3',
      '-q',
      '-nx',
      ...['-iex', 'set auto-load off', '-iex', 'set debuginfod enabled off', '-iex', 'set confirm off', '-iex', 'set pagination off'],
    ];
    const [cmd, argv] = diesWithParent(o.gdb, args);
    const subprocess = execa(cmd, argv, {
      cwd: dir,
      detached: true,
      reject: false,
      buffer: false,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    if (subprocess.pid === undefined) {
      const result = await subprocess;
      await rm(dir, { recursive: true, force: true });
      throw new RigError(o.part, `cannot start ${o.gdb}: ${result.originalMessage ?? result.shortMessage}`);
    }
    o.timeline.record('proc', { phase: 'start', part: o.part, cmd: o.gdb, args, pid: subprocess.pid });
    const mi = new GdbMi(subprocess, subprocess.pid, dir, o);
    await mi.command('-gdb-set mi-async on', { timeoutMs: 30_000 });
    return mi;
  }

  /** The rig part blamed in errors. */
  get part(): string {
    return this.o.part;
  }

  /** A file name in `dir` no other operation of this gdb uses (it serves many sessions, one after another). */
  scratchName(name: string): string {
    return `${++this.files}-${name}`;
  }

  /** The case now using this gdb: halts are stamped on its clock. */
  bind(timeline: Timeline): void {
    this.timeline = timeline;
  }

  get alive(): boolean {
    return this.exitedWith === undefined;
  }

  /** gdb may still hold a link to a target (one that lost power included): a new `-target-select` must drop it first. */
  get attached(): boolean {
    return this.linked && this.alive;
  }

  /**
   * Sends one MI command and waits for its result record. `^error` rejects with gdb's message; a timeout or an
   * abort kills gdb (it may be stuck on a dead link) and rejects.
   */
  command(command: string, options: CommandOptions): Promise<{ results: string; console: string }> {
    const run = this.queue.then(() => this.send(command, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A CLI command run through MI (`restore`, `dump`, `monitor ...`): what a user would type. */
  cli(command: string, options: CommandOptions): Promise<{ results: string; console: string }> {
    return this.command(`-interpreter-exec console ${cString(command)}`, options);
  }

  /** Settles at the next `*stopped`; rejects if the target goes away or gdb ends first. Ask before resuming. */
  nextStop(): Promise<MiStop> {
    if (this.exitedWith) return Promise.reject(this.exitedWith);
    return new Promise<MiStop>((resolve, reject) => this.stopWaiters.push({ resolve, reject }));
  }

  kill(): void {
    if (this.alive) killGroup(this.pid);
  }

  async close(): Promise<void> {
    this.kill();
    await this.exited;
  }

  private send(command: string, { timeoutMs, signal }: CommandOptions): Promise<{ results: string; console: string }> {
    if (this.exitedWith) return Promise.reject(this.exitedWith);
    signal?.throwIfAborted();
    const token = this.nextToken++;
    return new Promise((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending = undefined;
      };
      const fail = (error: Error) => {
        settle();
        this.kill();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new RigError(this.o.part, `gdb did not answer ${describe(command)} within ${formatDuration(timeoutMs)} (killed)`)),
        timeoutMs,
      );
      const onAbort = () => fail(signal!.reason as Error);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending = {
        token,
        command,
        console: [],
        resolve: (result) => {
          settle();
          resolve(result);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      this.subprocess.stdin!.write(`${token}${command}\n`);
    });
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n')) {
      const line = this.buffered.slice(0, nl).replace(/\r$/, '');
      this.buffered = this.buffered.slice(nl + 1);
      this.record(line);
    }
  }

  private record(line: string): void {
    const result = RESULT.exec(line);
    if (result) {
      const pending = this.pending;
      if (!pending || Number(result[1]) !== pending.token) return;
      const results = result[3] ?? '';
      if (result[2] === 'connected') this.linked = true;
      if (result[2] === 'done' && pending.command === '-target-disconnect') this.linked = false;
      if (result[2] === 'error') {
        const message = /^msg="((?:[^"\\]|\\.)*)"/.exec(results)?.[1];
        const said = message === undefined ? results : unescape(message);
        pending.reject(
          new RigError(this.o.part, `gdb: ${said}`, { detail: [`${describe(pending.command)}`, ...pending.console].join('\n') }),
        );
      } else {
        pending.resolve({ results, console: pending.console.join('') });
      }
      return;
    }
    if (line.startsWith('~"') || line.startsWith('&"')) {
      const text = unescape(line.slice(2, -1));
      this.pending?.console.push(text);
      if (line.startsWith('&"') && /Remote connection closed|Remote communication error/.test(text)) this.targetGone(text.trim());
      return;
    }
    if (line.startsWith('*stopped')) {
      const t = this.timeline.now();
      const reason = /reason="([^"]*)"/.exec(line)?.[1];
      const addr = /frame=\{addr="(0x[0-9a-fA-F]+)"/.exec(line)?.[1];
      const func = /frame=\{[^}]*?func="([^"]*)"/.exec(line)?.[1];
      const waiters = this.stopWaiters;
      this.stopWaiters = [];
      for (const w of waiters) w.resolve({ t, reason, addr: addr === undefined ? undefined : Number(addr), ...(func ? { func } : {}) });
      return;
    }
    if (line.startsWith('=thread-group-exited')) this.targetGone('the target went away');
  }

  private targetGone(why: string): void {
    this.linked = false;
    const waiters = this.stopWaiters;
    this.stopWaiters = [];
    for (const w of waiters) w.reject(new RigError(this.o.part, `gdb: ${why}`));
  }

  private gone(error: RigError): void {
    this.exitedWith ??= error;
    this.pending?.reject(error);
    const waiters = this.stopWaiters;
    this.stopWaiters = [];
    for (const w of waiters) w.reject(error);
  }
}

/** An MI command as a user would recognise it in a message: the CLI text for `-interpreter-exec console`. */
function describe(command: string): string {
  const cli = /^-interpreter-exec console "(.*)"$/.exec(command)?.[1];
  return cli === undefined ? command : `'${unescape(cli)}'`;
}

/** A C string for MI: gdb reads backslash escapes inside double quotes. */
function cString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** MI's C-string escapes: \n, \t, \", \\ and octal \NNN for other bytes. */
function unescape(text: string): string {
  return text.replace(/\\(?:([0-7]{1,3})|(.))/g, (_, octal: string | undefined, c: string | undefined) => {
    if (octal !== undefined) return String.fromCharCode(parseInt(octal, 8));
    return ({ n: '\n', t: '\t', r: '\r', e: '\x1b', a: '\x07' } as Record<string, string>)[c!] ?? c!;
  });
}
