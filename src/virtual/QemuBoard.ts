import { mkdir, mkdtemp, rename, rm, stat, symlink, truncate, unlink } from 'node:fs/promises';
import { connect as connectSocket, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatDuration } from '../core/duration.js';
import { RigError } from '../core/errors.js';
import { lastMeaningfulLine } from '../core/exec.js';
import type { Timeline } from '../core/Timeline.js';
import { ensureErasedImage } from '../image/erasedImage.js';
import { GdbMi } from '../gdb/GdbMi.js';
import { GpioLines } from './GpioLines.js';
import { chardevId, qemuArgs, type QemuPaths } from './qemuCommand.js';
import type { QemuBoardOptions } from './QemuBoardOptions.js';
import { QemuProcess, type QemuExit } from './QemuProcess.js';
import { Qmp } from './Qmp.js';
import { Qtest } from './Qtest.js';
import { volatileRam, type RamBlock } from './volatileRam.js';

export interface QemuBoardEnv {
  rigName: string;
  /** Directory of the rig file: `kernel` is relative to it. */
  rigDir: string;
  /** Where the board's flash images and pty links live (absolute). */
  stateDir: string;
  timeline: Timeline;
  log(message: string): void;
}

/** The UARTs of a board that is about to run. */
export interface PoweringBoard {
  /** The pty of UART `index` for this power-on, or undefined when that UART is not a pty. */
  serialPath(index: number): string | undefined;
}

export interface BoardListener {
  /** Power is coming up; the guest has not run yet. Awaited before `cont`, so nothing the board prints is lost. */
  powering?(board: PoweringBoard): Promise<void>;
  /**
   * Power went away: cut by hil (`reason` "power off") or the emulator died on its own. `rigFault`: QEMU went
   * away neither by hil's cut nor by the guest's doing (a crash, a kill from outside, its lifetime bound): the
   * rig's fault, never the board's.
   */
  unpowered?(info: Unpowered): Promise<void> | void;
}

export interface Unpowered {
  t: number;
  reason: string;
  rigFault?: boolean;
  /**
   * powerCycle reset: the UARTs stay (the same ptys serve the next power-on). Per UART, how many bytes QEMU had
   * written to it in this power-on when the CPU stopped: a console has everything from before the cut once it
   * has read that many since the power-on.
   */
  uartBytes?: ReadonlyMap<number, number>;
}

/** A debugger's view of the board, for the probe. */
export interface DebugTarget {
  /** `host:port` of QEMU's gdbstub. */
  gdb: string;
  /**
   * false: the board is off and this is the QEMU its next power-on will use, paused. Either way a debugger
   * leaves with a disconnect, never a detach or a continue (either would let a stopped guest run, and write its
   * flash): the board resumes a powered CPU itself when the debugger is done.
   */
  powered: boolean;
  /**
   * The debugger lets the CPU run (true: a breakpoint is armed and gdb resumes after every stop it does not
   * report) or has it halted (false). While it runs the CPU, a power cut kills QEMU even with powerCycle reset: a
   * stopped CPU would be resumed by gdb's next automatic continue.
   */
  debuggerRuns(running: boolean): void;
}

interface Instance {
  process: QemuProcess;
  runtimeDir: string;
  paths: QemuPaths;
  servers: Listening[];
  qmp?: Qmp;
  /** powerCycle reset: clears RAM after a power-off. */
  qtest?: Qtest;
  startedAt: number;
  serials: Map<number, string>;
  links: string[];
  gdbPort?: number;
  /** Set when hil killed it (a power cut), as opposed to QEMU dying by itself. */
  cut?: { t: number };
  /** Killed by hil because its power-on failed. */
  failed?: boolean;
  /** A debugger worked on it while it was the spare: its CPU state is reset before the guest runs. */
  touched?: boolean;
  /** The flash files it mapped (device:inode): a spare is used only if they are still the rig's files. */
  files?: string;
  /** Listeners were told it is powering: they must hear when it goes away. */
  announced?: boolean;
  /** `cont` was sent: from then on the guest may run, and may bring QEMU down by itself (a lockup). */
  released?: boolean;
  /** The guest has run since this QEMU started: its RAM is not as a power-on leaves it. */
  ran?: boolean;
  /** A debugger runs the CPU (see DebugTarget.debuggerRuns). */
  debuggerRuns?: boolean;
  /** powerCycle reset: the QMP stop of a power-off, under way or done. */
  stopping?: Promise<void>;
  /** powerCycle reset: RAM being cleared while the board is off; a power-on or a probe waits for it. */
  clearing?: Promise<void>;
  /** The next power-on's connection to the GPIO UART, made ahead; nothing is sent on it before then. */
  gpioLink?: Promise<Socket>;
  /** Settles when the process is gone and everything it used is released. */
  down: Promise<void>;
}

interface ChardevInfo {
  label: string;
  filename: string;
}

/**
 * The emulated board, shared by the rig's power, console, output and probe drivers. Power on starts QEMU paused,
 * learns its ptys over QMP, lets the console open them, sends the GPIO levels, then lets the guest run. The QEMU
 * of the next power-on waits paused (the spare); a probe working while power is off works on it, as on a target
 * held in reset. A power-on then costs a `cont`, not an emulator start.
 * powerCycle restart: power off is SIGKILL (the flash files keep what the guest wrote, nothing more) and the spare
 * is a new QEMU started ahead as soon as the board is on (not for a board with `drives`: see prepareSpare). powerCycle reset: power off stops the CPU over QMP and
 * the stopped QEMU is the spare; its power-on clears every RAM block (qtest), resets every device, gives the GPIO
 * link a new connection (bytes the old board never read are gone with it) and runs: what the guest sees is what
 * a new QEMU would show it, without starting one.
 * The board can outlive a case (a run keeps it between the cases on its rig): `bind` points it at the current
 * case's timeline, and the spare and gdb wait for the next case.
 */
export class QemuBoard {
  readonly gpio = new GpioLines();
  private current?: Instance;
  /** Started paused; the next power-on runs it. */
  private spare?: Instance;
  private spareStarting?: Promise<Instance | undefined>;
  private gdbStarting?: Promise<GdbMi>;
  private readonly listeners = new Set<BoardListener>();
  /** Power-ons and probe sessions, one at a time; power-off never waits in this queue. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Counts power-offs, so a power-on still preparing (QEMU not yet spawned) knows it was cut. */
  private offs = 0;
  /** A power-on in progress. */
  private starting?: Promise<unknown>;
  /** powerCycle reset: the machine's RAM blocks, read from the first QEMU's memory tree. */
  private ram?: RamBlock[];

  constructor(
    readonly options: QemuBoardOptions,
    private env: QemuBoardEnv,
  ) {}

  /** The case now using the board: its events go to that case's timeline. */
  bind(timeline: Timeline, log: (message: string) => void): void {
    if (this.env.timeline !== timeline) this.env = { ...this.env, timeline, log };
  }

  /**
   * The board's debugger process (gdb over MI), started on first use and again after one was killed; it outlives
   * the QEMU processes it connects to and is closed with the board.
   */
  gdb(gdb: string, part: string): Promise<GdbMi> {
    this.gdbStarting ??= GdbMi.start({ part, gdb, timeline: this.env.timeline, lifetimeMs: this.options.lifetime });
    const starting = this.gdbStarting;
    return starting.then(
      (mi) => {
        if (mi.alive) return mi;
        if (this.gdbStarting === starting) this.gdbStarting = undefined;
        return this.gdb(gdb, part);
      },
      (err: unknown) => {
        if (this.gdbStarting === starting) this.gdbStarting = undefined;
        throw err;
      },
    );
  }

  get description(): string {
    return `QEMU ${this.options.machine}`;
  }

  /** Where the flash images and pty links live. */
  get stateDir(): string {
    return this.env.stateDir;
  }

  get powered(): boolean {
    return this.current !== undefined && !this.current.cut && this.current.process.running;
  }

  private get resets(): boolean {
    return this.options.powerCycle === 'reset';
  }

  /** Address where raw images go when they name none: the first flash region that says where it is mapped. */
  get defaultLoadAddress(): number | undefined {
    return this.options.nv.find((nv) => nv.address !== undefined)?.address;
  }

  listen(listener: BoardListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The pty of UART `index` while powered. */
  serialPath(index: number): string | undefined {
    return this.powered ? this.current?.serials.get(index) : undefined;
  }

  /**
   * powerCycle reset: how many bytes QEMU has written to UART `index` since this power-on (what a console
   * opening its pty now has missed); undefined when the board is off or each power-on has its own QEMU.
   */
  async serialWritten(index: number): Promise<number | undefined> {
    return this.current && this.powered ? uartBytes(this.current, index) : undefined;
  }

  async powerOn(part = 'power'): Promise<void> {
    const offs = this.offs;
    const on = this.exclusive(async () => {
      if (this.powered || this.offs !== offs) return;
      await this.start(part, offs);
    });
    this.starting = on;
    try {
      await on;
    } finally {
      if (this.starting === on) this.starting = undefined;
    }
  }

  /** The power cut: SIGKILL now and wait for the process to be gone; or (powerCycle reset) stop the CPU now. */
  async powerOff(part = 'power'): Promise<void> {
    this.offs++;
    const instance = this.current;
    if (!instance) {
      // Not spawned yet: the power-on sees the cut before it spawns and stops there.
      await this.starting?.catch(() => undefined);
      return;
    }
    if (this.resets && instance.qmp && !instance.debuggerRuns && (instance.stopping || !instance.cut)) {
      instance.stopping ??= this.stop(instance, part);
      return instance.stopping;
    }
    await this.kill(instance, part);
  }

  /** The SIGKILL cut, timed, unless it was cut already; then waits for the process to be gone. */
  private async kill(instance: Instance, part: string, why?: string): Promise<void> {
    if (!instance.cut) {
      const ask = this.env.timeline.now();
      instance.process.kill();
      const done = this.env.timeline.now();
      instance.cut = { t: done };
      this.env.timeline.record('qemu', { phase: 'kill', part, pid: instance.process.pid, ask, done, latencyMs: round(done - ask), ...(why ? { why } : {}) });
    }
    await instance.down;
  }

  /**
   * powerCycle reset: the CPU stops where it is (QMP stop, answered once it has), the GPIO link is dropped with
   * whatever the guest had not read, and this QEMU waits as the spare. A QEMU that does not stop is killed: the
   * cut happens either way.
   */
  private async stop(instance: Instance, part: string): Promise<void> {
    const ask = this.env.timeline.now();
    instance.cut = { t: ask };
    try {
      await instance.qmp!.execute('stop');
    } catch {
      instance.cut = undefined;
      instance.stopping = undefined;
      return this.kill(instance, part, 'QMP stop failed');
    }
    const done = this.env.timeline.now();
    instance.cut = { t: done };
    this.env.timeline.record('qemu', { phase: 'stop', part, pid: instance.process.pid, ask, done, latencyMs: round(done - ask) });
    if (this.current === instance) this.gpio.disconnect();
    // While the board is off, not when it comes on: what a power cut does to RAM (a new QEMU starts with every
    // block zero), and the GPIO link the next power-on will use.
    if (instance.ran) {
      instance.clearing = this.clearRam(instance);
      // Reported to whoever waits for it next (a power-on, a probe); never unhandled if nobody does.
      instance.clearing.catch(() => undefined);
    }
    dropGpioLink(instance);
    instance.gpioLink = this.linkGpio(instance, part);
    const written = new Map<number, number>();
    for (const index of instance.serials.keys()) {
      const bytes = await uartBytes(instance, index);
      if (bytes !== undefined) written.set(index, bytes);
    }
    const announced = instance.announced;
    instance.announced = false;
    instance.released = false;
    if (this.current === instance) this.current = undefined;
    if (instance.process.running) {
      const older = this.spare;
      this.spare = instance;
      older?.process.kill();
    }
    if (announced) for (const listener of [...this.listeners]) await listener.unpowered?.({ t: done, reason: 'power off', uartBytes: written });
  }

  private async clearRam(instance: Instance): Promise<void> {
    for (const block of this.ram ?? []) await instance.qtest!.memset(block.address, block.size, 0);
  }

  /** `connectGpio` started now and kept for the next power-on; its failure is reported there. */
  private linkGpio(instance: Instance, part: string): Promise<Socket> | undefined {
    if (!instance.paths.gpioSocket) return undefined;
    const link = this.connectGpio(instance, part);
    link.catch(() => undefined);
    return link;
  }

  /**
   * Runs `work` with QEMU's gdbstub reachable. With power on that is the running board; with power off it is the
   * spare, paused, as a probe powers a target over SWD: the guest never runs until the next power-on.
   */
  async withDebugger<T>(part: string, work: (target: DebugTarget) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      if (this.powered) {
        const instance = this.current!;
        try {
          return await work({ gdb: `127.0.0.1:${instance.gdbPort}`, powered: true, debuggerRuns: (running) => (instance.debuggerRuns = running) });
        } catch (err) {
          throw await this.diedUnder(instance, err, part);
        } finally {
          instance.debuggerRuns = false;
          // A debugger only ever disconnects; the board resumes its CPU itself, and only if power is still on.
          // (A gdb detach resumes it whatever happened meanwhile: after a cut, the stopped board would run on.)
          if (this.current === instance && this.powered) await instance.qmp!.execute('cont').catch(() => undefined);
        }
      }
      const spare = (await this.takeSpare()) ?? (await this.spawn(part))!;
      this.spare = spare;
      spare.touched = true;
      try {
        // What the probe writes to RAM while power is off stays, as with a new QEMU: clearing happens before.
        await spare.clearing;
        // The spare never runs under a debugger: only a powered board is given a breakpoint.
        return await work({ gdb: `127.0.0.1:${spare.gdbPort}`, powered: false, debuggerRuns: () => undefined });
      } catch (err) {
        throw await this.diedUnder(spare, err, part);
      }
    });
  }

  /** A debugger's failure because its QEMU died under it (not by a power cut) names that death, the real cause. */
  private async diedUnder(instance: Instance, err: unknown, part: string): Promise<unknown> {
    if (instance.process.killed || !(await exitsWithin(instance.process, QMP_DRAIN_MS))) return err;
    const { signal, code } = await instance.process.exited;
    const said = (err as Error)?.message ?? String(err);
    return new RigError(part, `QEMU died (${signal ?? `exit ${code}`}) while the probe worked on it: ${said}`, { detail: instance.process.stderr().trim() || undefined, cause: err });
  }

  /** Kills whatever QEMU runs for this board, the spare too, and gdb, and waits for them; safe to call twice. */
  async close(): Promise<void> {
    if (this.current) await this.powerOff('power');
    // Work still starting a spare finishes first (bounded by its timeouts), so none is left behind.
    await this.queue;
    const spare = await this.takeSpare();
    if (spare) {
      spare.process.kill();
      await spare.down;
    }
    const gdb = this.gdbStarting;
    this.gdbStarting = undefined;
    await (await gdb?.catch(() => undefined))?.close();
  }

  /**
   * Starts the next power-on's QEMU in the background, unless one is there or coming. Never with `drives`: QEMU
   * reads a drive image once, when it starts, so a QEMU started now would show the next power-on the flash as it
   * is now, without what this one writes (memory-backend files are mapped shared: a spare sees every write).
   */
  private prepareSpare(part: string): void {
    if (this.resets || this.options.drives.length > 0 || this.spare?.process.running || this.spareStarting) return;
    const starting: Promise<Instance | undefined> = this.spawn(part).then(
      (instance) => {
        this.spare = instance;
        return instance;
      },
      (err: unknown) => {
        // The power-on that needs it starts its own QEMU and reports the error where it belongs.
        this.env.timeline.record('qemu', { phase: 'spare-failed', part, error: (err as Error).message });
        return undefined;
      },
    );
    this.spareStarting = starting;
    void starting.finally(() => {
      if (this.spareStarting === starting) this.spareStarting = undefined;
    });
  }

  /** The spare, if there is one still running on the rig's current flash files; it stops being the spare. */
  private async takeSpare(): Promise<Instance | undefined> {
    await this.spareStarting;
    const spare = this.spare;
    this.spare = undefined;
    if (!spare?.process.running) return undefined;
    // A QEMU serving power cycles retires halfway to its lifetime bound, never in the middle of a case.
    const young = performance.now() - spare.startedAt < this.options.lifetime / 2;
    if (young && spare.files === (await this.fileIdentity(spare.paths))) return spare;
    // Retired, or the flash file was replaced under it (deleted, copied over) and it maps the old one.
    spare.process.kill();
    await spare.down;
    return undefined;
  }

  private async fileIdentity(paths: QemuPaths): Promise<string> {
    const ids = await Promise.all([...paths.nv, ...paths.drives].map((p) => stat(p).then((s) => `${s.dev}:${s.ino}`, () => 'missing')));
    return ids.join(',');
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private paths(runtimeDir: string): QemuPaths {
    // Relative and inside the state folder: the rig schema allows nothing else.
    const state = (p: string) => resolve(this.env.stateDir, p);
    const o = this.options;
    return {
      kernel: o.kernel === undefined ? undefined : resolve(this.env.rigDir, o.kernel),
      nv: o.nv.map((nv) => state(nv.path ?? `${nv.id}.img`)),
      drives: o.drives.map((d) => state(d.path)),
      qmpSocket: join(runtimeDir, 'qmp'),
      gpioSocket: o.gpioSerial !== null ? join(runtimeDir, 'gpio') : undefined,
      qtestSocket: this.resets ? join(runtimeDir, 'qtest') : undefined,
      serialLog: this.resets ? (index) => join(runtimeDir, `serial${index}.out`) : undefined,
    };
  }

  /** Runs the spare, or a new QEMU; `offs`: the power-off count when the power-on was asked (a change: cut before it ran). */
  private async start(part: string, offs: number): Promise<void> {
    const t0 = this.env.timeline.now();
    let instance = await this.takeSpare();
    instance ??= await this.spawn(part, offs);
    if (!instance) return;
    if (this.offs !== offs) {
      // Cut while QEMU was starting: the board is off, which is what was asked last.
      if (this.resets) {
        this.spare = instance;
        return;
      }
      instance.process.kill();
      await instance.down;
      return;
    }
    this.current = instance;
    instance.cut = undefined;
    instance.stopping = undefined;
    const { qmp, process: qemu } = instance;
    const cut = () => this.offs !== offs;
    try {
      await instance.clearing;
      instance.clearing = undefined;
      if (instance.touched || instance.ran) {
        // A debugger may have moved the CPU (an ELF `load` sets the PC), or the guest ran: power-on starts from
        // the reset vector, every device as after reset. The boot ROM (`-kernel`) is copied in again.
        const reset = qmp!.nextEvent('RESET');
        await qmp!.execute('system_reset');
        await reset;
      }
      if (instance.ran) {
        // The UART byte counts start again with each power-on, so QEMU's logs never outgrow one power cycle.
        for (const index of instance.serials.keys()) {
          const log = instance.paths.serialLog?.(index);
          if (log) await truncate(log, 0);
        }
      }
      await this.linkSerials(instance);
      if (cut()) return;
      instance.announced = true;
      for (const listener of [...this.listeners]) await listener.powering?.({ serialPath: (i) => instance.serials.get(i) });
      // Only after the reset: a level byte taken by the old UART would be lost with its state.
      const gpio = instance.gpioLink;
      instance.gpioLink = undefined;
      if (gpio) {
        const socket = await gpio;
        // Cut meanwhile: this link is not the next power-on's (QEMU serves one connection; it must go).
        if (cut()) {
          socket.destroy();
          return;
        }
        await this.gpio.connect(socket);
      }
      // Checked right before `cont` goes out: a power-off that came meanwhile stopped (or killed) this QEMU.
      if (cut()) return;
      instance.released = true;
      instance.ran = true;
      await qmp!.execute('cont');
      this.env.timeline.record('qemu', { phase: 'run', part, pid: qemu.pid, startMs: round(this.env.timeline.now() - t0) });
      this.prepareSpare(part);
    } catch (err) {
      // Cut while still coming up: the board is off, which is what was asked last.
      if (instance.cut || cut()) {
        if (!this.resets) await instance.down;
        return;
      }
      // The guest ran and QEMU died under it before answering `cont`: the board's doing, reported as a gap.
      if (instance.released && (await exitsWithin(qemu, QEMU_EXIT_GRACE_MS))) {
        await instance.down;
        return;
      }
      instance.failed = true;
      qemu.kill();
      await instance.down;
      throw this.startError(err, qemu, part);
    }
  }

  /**
   * A new connection to QEMU's GPIO UART socket, once QEMU has dropped the previous one (and the bytes it held):
   * QEMU serves one connection at a time and says in `query-chardev` whether it has one.
   */
  private async connectGpio(instance: Instance, part: string): Promise<Socket> {
    const connected = async () => {
      const chardevs = await instance.qmp!.execute<ChardevInfo[]>('query-chardev');
      return !chardevs.find((c) => c.label === chardevId.gpio)?.filename.startsWith('disconnected:');
    };
    const until = async (want: boolean, what: string) => {
      const end = performance.now() + this.options.startTimeout;
      while ((await connected()) !== want) {
        if (performance.now() > end) throw new RigError(part, `QEMU's GPIO UART socket ${what} within ${formatDuration(this.options.startTimeout)}`);
        await new Promise((r) => setImmediate(r));
      }
    };
    await until(false, 'kept its previous connection');
    const socket = await new Promise<Socket>((resolveSocket, reject) => {
      const s = connectSocket(instance.paths.gpioSocket!);
      s.once('connect', () => resolveSocket(s));
      s.once('error', (err) => reject(new RigError(part, `cannot connect to QEMU's GPIO UART socket: ${err.message}`, { cause: err })));
    });
    try {
      await until(true, 'did not take the connection');
    } catch (err) {
      socket.destroy();
      throw err;
    }
    return socket;
  }

  /**
   * Starts QEMU paused and learns its ptys and gdb port over QMP; the guest does not run. `offs` given: a power-on,
   * which a power-off arriving first cancels (undefined is returned).
   */
  private async spawn(part: string, offs?: number): Promise<Instance | undefined> {
    const o = this.options;
    const t0 = this.env.timeline.now();
    const runtimeDir = await mkdtemp(join(tmpdir(), 'hil-qemu-'));
    const paths = this.paths(runtimeDir);
    const servers: Listening[] = [];
    let qemu: QemuProcess;
    try {
      await Promise.all(o.nv.map((nv, i) => ensureErasedImage(paths.nv[i]!, nv.size, part)));
      await Promise.all(o.drives.map((d, i) => (d.size === undefined ? undefined : ensureErasedImage(paths.drives[i]!, d.size, part))));
      servers.push(await listenOn(paths.qmpSocket));
      if (paths.qtestSocket) servers.push(await listenOn(paths.qtestSocket));
      if (offs !== undefined && this.offs !== offs) throw new PowerCut();
      qemu = await QemuProcess.start(o.qemu, qemuArgs(o, paths), { part, timeline: this.env.timeline, lifetimeMs: o.lifetime });
    } catch (err) {
      for (const { server } of servers) server.close();
      await rm(runtimeDir, { recursive: true, force: true });
      if (err instanceof PowerCut) return undefined;
      throw err;
    }

    const instance: Instance = { process: qemu, runtimeDir, paths, servers, startedAt: performance.now(), serials: new Map(), links: [], down: Promise.resolve() };
    instance.down = qemu.exited.then((exit) => this.teardown(instance, exit, part));
    try {
      const [qmpServer, qtestServer] = servers;
      const qmp = new Qmp(await this.accept(qmpServer!, instance, part), part);
      instance.qmp = qmp;
      await qmp.handshake();
      this.readChardevs(instance, await qmp.execute<ChardevInfo[]>('query-chardev'));
      if (qtestServer) {
        instance.qtest = new Qtest(await this.accept(qtestServer, instance, part), part);
        this.ram ??= volatileRam(await qmp.execute<string>('human-monitor-command', { 'command-line': 'info mtree' }), this.options.nv.map((nv) => nv.id));
      }
      instance.files = await this.fileIdentity(paths);
      instance.gpioLink = this.linkGpio(instance, part);
      this.env.timeline.record('qemu', { phase: 'ready', part, pid: qemu.pid, startMs: round(this.env.timeline.now() - t0), serials: Object.fromEntries(instance.serials), gdbPort: instance.gdbPort });
      return instance;
    } catch (err) {
      instance.failed = true;
      qemu.kill();
      await instance.down;
      throw this.startError(err, qemu, part);
    }
  }

  /** The one connection QEMU makes to a socket hil listens on; fails as soon as QEMU exits instead. */
  private accept(listening: Listening, instance: Instance, part: string): Promise<Socket> {
    const ms = this.options.startTimeout;
    return new Promise<Socket>((resolveSocket, reject) => {
      const timer = setTimeout(() => reject(new RigError(part, `QEMU did not connect within ${formatDuration(ms)}`)), ms);
      void instance.process.exited.then(() => {
        clearTimeout(timer);
        reject(new RigError(part, 'QEMU exited while starting'));
      });
      void listening.connection.then((socket) => {
        clearTimeout(timer);
        resolveSocket(socket);
      });
    });
  }

  private startError(err: unknown, qemu: QemuProcess, part: string): RigError {
    const stderr = qemu.stderr().trim();
    const said = qemuSaid(stderr);
    const what = `QEMU (${this.options.machine}) failed to start`;
    if (said) return new RigError(part, `${what}: ${said}`, { detail: stderr, cause: err });
    if (err instanceof RigError) return new RigError(part, `${what}: ${err.message}`, { detail: err.detail, cause: err });
    return new RigError(part, `${what}: ${(err as Error).message}`, { cause: err });
  }

  private readChardevs(instance: Instance, chardevs: ChardevInfo[]): void {
    for (let i = 0; i < this.options.serials; i++) {
      const pty = chardevs.find((c) => c.label === chardevId.serial(i))?.filename;
      if (pty?.startsWith('pty:')) instance.serials.set(i, pty.slice('pty:'.length));
    }
    const gdb = chardevs.find((c) => c.label === chardevId.gdb)?.filename;
    const port = gdb ? /:(\d+)(?:,|$)/.exec(gdb)?.[1] : undefined;
    if (port) instance.gdbPort = Number(port);
  }

  /** `<stateDir>/serial<N>` → this power-on's pty, as /dev/serial/by-id names a USB-serial whatever its ttyUSB. */
  private async linkSerials(instance: Instance): Promise<void> {
    // A QEMU serving another power cycle keeps its ptys, and they are linked already.
    if (instance.links.length) return;
    await mkdir(this.env.stateDir, { recursive: true });
    for (const [index, pty] of instance.serials) {
      const link = join(this.env.stateDir, `serial${index}`);
      const aside = `${link}.${process.pid}`;
      await rm(aside, { force: true });
      await symlink(pty, aside);
      await rename(aside, link);
      instance.links.push(link);
    }
  }

  private async teardown(instance: Instance, exit: QemuExit, part: string): Promise<void> {
    // The guest's SHUTDOWN event, if it sent one, may still be in flight when the process is seen gone.
    if (instance.qmp) await Promise.race([instance.qmp.closed, new Promise((r) => setTimeout(r, QMP_DRAIN_MS).unref())]);
    instance.qmp?.close();
    instance.qtest?.close();
    dropGpioLink(instance);
    if (this.current === instance) this.gpio.disconnect();
    for (const { server } of instance.servers) server.close();
    await Promise.all(instance.links.map((link) => unlink(link).catch(() => undefined)));
    await rm(instance.runtimeDir, { recursive: true, force: true });
    if (this.current === instance) this.current = undefined;
    if (this.spare === instance) this.spare = undefined;
    if (!instance.announced) return;

    let reason = instance.failed ? 'power-on failed' : 'power off';
    let t = instance.cut?.t ?? this.env.timeline.now();
    let rigFault = false;
    if (!instance.cut && !instance.failed) {
      const stderr = instance.process.stderr();
      const said = qemuSaid(stderr);
      // The board's own doing: QEMU aborts on purpose when the guest CPU locks up ("qemu: fatal: Lockup..."),
      // and exits when the guest asks it to (semihosting exit, a reset with -no-reboot).
      const guestFatal = exit.signal === 'SIGABRT' && /qemu: fatal:/.test(stderr);
      const guestShutdown = instance.qmp?.guestShutdown;
      rigFault = !guestFatal && guestShutdown === undefined;
      const crashed = exit.signal !== null && CRASH_SIGNALS.has(exit.signal) && !guestFatal;
      const how = exit.signal ?? `exit ${exit.code}`;
      reason = instance.process.outlived
        ? `QEMU killed at its lifetime bound (${formatDuration(this.options.lifetime)})`
        : guestShutdown !== undefined
          ? `QEMU shut down at the guest's request (${guestShutdown}, ${how})`
          : `QEMU ${crashed ? 'crashed' : rigFault ? 'died, not by a power cut' : 'exited by itself'} (${how})${said ? `: ${said}` : ''}`;
      this.env.timeline.record('qemu', { phase: 'died', part, pid: instance.process.pid, exitCode: exit.code, signal: exit.signal, stderr, rigFault });
      this.env.log(`${this.env.rigName}: ${reason}`);
      t = this.env.timeline.now();
    }
    for (const listener of [...this.listeners]) await listener.unpowered?.({ t, reason, rigFault });
  }
}

/** Signals a program dies of when it is broken (SIGABRT also when the guest locks up); hil itself only ever SIGKILLs QEMU. */
const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGBUS', 'SIGABRT', 'SIGILL', 'SIGFPE']);

/** How long a dead QEMU's QMP connection may take to deliver its last events. */
const QMP_DRAIN_MS = 200;

/** How long a QEMU whose QMP connection dropped may take to be seen exiting. */
const QEMU_EXIT_GRACE_MS = 1000;

async function exitsWithin(qemu: QemuProcess, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const exited = await Promise.race([qemu.exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
  clearTimeout(timer);
  return exited;
}

/** powerCycle reset: what QEMU wrote to UART `index` in this power-on, from the size of its log of it. */
async function uartBytes(instance: Instance, index: number): Promise<number | undefined> {
  const log = instance.paths.serialLog?.(index);
  return log === undefined ? undefined : stat(log).then((s) => s.size, () => 0);
}

/** A GPIO link made ahead and not used: QEMU holds it until it is closed. */
function dropGpioLink(instance: Instance): void {
  const link = instance.gpioLink;
  instance.gpioLink = undefined;
  void link?.then((socket) => socket.destroy(), () => undefined);
}

/** A power-off arrived while a power-on was still preparing. */
class PowerCut extends Error {}

/** QEMU reports errors as "qemu-system-arm: <what>": the first such line is the cause, later ones its consequences. */
function qemuSaid(stderr: string): string | undefined {
  const own = /^qemu-system-[\w-]+: (.+)$/m.exec(stderr)?.[1];
  return own?.trim() ?? lastMeaningfulLine(stderr);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** A unix socket QEMU will connect to; its first connection is caught from the start (QEMU may be quick). */
interface Listening {
  server: Server;
  connection: Promise<Socket>;
}

function listenOn(path: string): Promise<Listening> {
  return new Promise<Listening>((resolveServer, reject) => {
    const server = createServer();
    const connection = new Promise<Socket>((resolveSocket) => server.once('connection', resolveSocket));
    server.once('error', reject);
    server.listen(path, () => resolveServer({ server, connection }));
  });
}
