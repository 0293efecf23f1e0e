import { rm } from 'node:fs/promises';
import { checkResponsive } from './qemuResponsive.js';
import type { Timeline } from '../core/Timeline.js';
import type { GdbMi } from '../gdb/GdbMi.js';
import { BoardGdb } from './BoardGdb.js';
import { boardFlashFileAt, boardFlashFiles } from './boardFlashFiles.js';
import type { BoardListener } from './BoardListener.js';
import type { DebugTarget } from './DebugTarget.js';
import { dropGpioLink, linkGpio } from './GpioLink.js';
import { GpioLines } from './GpioLines.js';
import type { QemuBoardEnv } from './QemuBoardEnv.js';
import type { QemuBoardOptions } from './QemuBoardOptions.js';
import { diedUnder, goneReason } from './qemuDeath.js';
import { killCut, resetForPowerOn } from './powerCycle.js';
import { exitsWithin, QMP_DRAIN_MS, round, uartBytes, type QemuInstance } from './QemuInstance.js';
import { QemuLauncher } from './QemuLauncher.js';
import type { QemuExit } from './QemuProcess.js';
import { linkSerials, unlinkSerials } from './PtyLinks.js';
import { RamClearing } from './RamClearing.js';
import { SpareQemuPool } from './SpareQemuPool.js';

/**
 * The emulated board, shared by the rig's power, console, output and probe drivers. Power on starts QEMU paused,
 * learns its ptys over QMP, lets the console open them, sends the GPIO levels, then lets the guest run. The QEMU
 * of the next power-on waits paused (the spare); a probe working while power is off works on it, as on a target
 * held in reset. A power-on then costs a `cont`, not an emulator start.
 * powerCycle restart: power off is SIGKILL (the flash files keep what the guest wrote, nothing more) and the spare
 * is a new QEMU started ahead as soon as the board is on (not for a board with `drives`: see SpareQemuPool.prepare). powerCycle reset: power off stops the CPU over QMP and
 * the stopped QEMU is the spare; its power-on clears every RAM block (qtest), resets every device, gives the GPIO
 * link a new connection (bytes the old board never read are gone with it) and runs: what the guest sees is what
 * a new QEMU would show it, without starting one.
 * The board can outlive a case (a run keeps it between the cases on its rig): `bind` points it at the current
 * case's timeline, and the spare and gdb wait for the next case.
 */
export class QemuBoard {
  readonly gpio = new GpioLines();
  private current?: QemuInstance;
  private readonly debugger: BoardGdb;
  private readonly listeners = new Set<BoardListener>();
  /** Power-ons and probe sessions, one at a time; power-off never waits in this queue. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Counts power-offs, so a power-on still preparing (QEMU not yet spawned) knows it was cut. */
  private offs = 0;
  /** A power-on in progress. */
  private starting?: Promise<unknown>;
  private readonly ram: RamClearing;
  private readonly launcher: QemuLauncher;
  /** The next power-on's QEMU, paused. */
  private readonly spares: SpareQemuPool;

  constructor(
    readonly options: QemuBoardOptions,
    private env: QemuBoardEnv,
  ) {
    this.ram = new RamClearing(options.nv.map((nv) => nv.id));
    this.debugger = new BoardGdb({ timeline: () => this.env.timeline, lifetimeMs: options.lifetime });
    this.launcher = new QemuLauncher(
      options,
      () => this.env,
      this.ram,
      (instance, exit, part) => this.teardown(instance, exit, part),
    );
    this.spares = new SpareQemuPool(
      options,
      (part) => this.launcher.spawn(part),
      () => this.env.timeline,
    );
  }

  /** The case now using the board: its events go to that case's timeline. */
  bind(timeline: Timeline, log: (message: string) => void): void {
    if (this.env.timeline !== timeline) this.env = { ...this.env, timeline, log };
  }

  /** The board's gdb (see BoardGdb), stamping on the current case's timeline when it starts. */
  gdb(gdb: string, part: string): Promise<GdbMi> {
    return this.debugger.get(gdb, part);
  }

  get description(): string {
    return `QEMU ${this.options.machine}`;
  }

  /** Throws a RigError when the QEMU now powering the board is frozen (see checkResponsive). */
  async checkResponsive(part: string): Promise<void> {
    const instance = this.current;
    if (instance?.process.running) await checkResponsive(instance, part, this.powered);
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

  /** The board's flash files (`nv` by id, `drives` by path), where power cuts leave what was written. */
  flashFiles(): Array<{ name: string; path: string }> {
    return boardFlashFiles(this.options, this.env.stateDir);
  }

  /** The flash file and offset that hold [address, address + length) (see boardFlashFileAt). */
  flashFileAt(address: number, length: number): { path: string; offset: number } | undefined {
    return boardFlashFileAt(this.options, this.env.stateDir, address, length);
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
    await killCut(instance, this.env.timeline, part);
  }

  /**
   * powerCycle reset: the CPU stops where it is (QMP stop, answered once it has), the GPIO link is dropped with
   * whatever the guest had not read, and this QEMU waits as the spare. A QEMU that does not stop is killed: the
   * cut happens either way.
   */
  private async stop(instance: QemuInstance, part: string): Promise<void> {
    const ask = this.env.timeline.now();
    instance.cut = { t: ask };
    try {
      await instance.qmp!.execute('stop');
    } catch {
      instance.cut = undefined;
      instance.stopping = undefined;
      return killCut(instance, this.env.timeline, part, 'QMP stop failed');
    }
    const done = this.env.timeline.now();
    instance.cut = { t: done };
    this.env.timeline.record('qemu', { phase: 'stop', part, pid: instance.process.pid, ask, done, latencyMs: round(done - ask) });
    if (this.current === instance) this.gpio.disconnect();
    // While the board is off, not when it comes on: what a power cut does to RAM (a new QEMU starts with every
    // block zero), and the GPIO link the next power-on will use.
    if (instance.ran) {
      instance.clearing = this.ram.clear(instance.qtest!);
      // Reported to whoever waits for it next (a power-on, a probe); never unhandled if nobody does.
      instance.clearing.catch(() => undefined);
    }
    dropGpioLink(instance);
    instance.gpioLink = linkGpio(instance, part, this.options.startTimeout);
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
      this.spares.replace(instance);
    }
    if (announced)
      for (const listener of [...this.listeners]) await listener.unpowered?.({ t: done, reason: 'power off', uartBytes: written });
  }

  /**
   * Runs `work` with QEMU's gdbstub reachable. With power on that is the running board; with power off it is the
   * spare, paused, as a probe powers a target over SWD: the guest never runs until the next power-on.
   */
  async withDebugger<T>(part: string, work: (target: DebugTarget) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      if (this.powered) {
        const instance = this.current!;
        let keepHalted = false;
        try {
          return await work({
            gdb: `127.0.0.1:${instance.gdbPort}`,
            powered: true,
            debuggerRuns: (running) => (instance.debuggerRuns = running),
            keepHalted: () => (keepHalted = true),
          });
        } catch (err) {
          throw await diedUnder(instance, err, part);
        } finally {
          instance.debuggerRuns = false;
          // A debugger only ever disconnects; the board resumes its CPU itself, and only if power is still on.
          // (A gdb detach resumes it whatever happened meanwhile: after a cut, the stopped board would run on.)
          if (this.current === instance && this.powered && !keepHalted) await instance.qmp!.execute('cont').catch(() => undefined);
        }
      }
      const spare = (await this.spares.take()) ?? (await this.launcher.spawn(part))!;
      this.spares.keep(spare);
      spare.touched = true;
      try {
        // What the probe writes to RAM while power is off stays, as with a new QEMU: clearing happens before.
        await spare.clearing;
        // The spare never runs under a debugger: only a powered board is given a breakpoint.
        return await work({
          gdb: `127.0.0.1:${spare.gdbPort}`,
          powered: false,
          debuggerRuns: () => undefined,
          keepHalted: () => undefined,
        });
      } catch (err) {
        throw await diedUnder(spare, err, part);
      }
    });
  }

  /**
   * powerCycle reset, power off: runs `work` with a writer of the board's memory through qtest, on the paused
   * spare, as gdb's `restore` writes it (code translated from the range is dropped too) but without a debugger
   * connecting. Undefined, `work` not run, when the board is on or its QEMU has no qtest.
   */
  async whileOff<T>(
    part: string,
    work: (write: (address: number, bytes: Buffer) => Promise<void>) => Promise<T>,
  ): Promise<{ done: T } | undefined> {
    if (!this.resets) return undefined;
    return this.exclusive(async () => {
      if (this.powered) return undefined;
      const spare = (await this.spares.take()) ?? (await this.launcher.spawn(part))!;
      this.spares.keep(spare);
      const qtest = spare.qtest;
      if (!qtest) return undefined;
      // As after a debugger's work: the power-on resets the CPU, which reads its vectors again.
      spare.touched = true;
      try {
        await spare.clearing;
        return { done: await work((address, bytes) => qtest.write(address, bytes)) };
      } catch (err) {
        throw await diedUnder(spare, err, part);
      }
    });
  }

  /** Kills whatever QEMU runs for this board, the spare too, and gdb, and waits for them; safe to call twice. */
  async close(): Promise<void> {
    if (this.current) await this.powerOff('power');
    // Work still starting a spare finishes first (bounded by its timeouts), so none is left behind.
    await this.queue;
    const spare = await this.spares.take();
    if (spare) {
      spare.process.kill();
      await spare.down;
    }
    await this.debugger.close();
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Runs the spare, or a new QEMU; `offs`: the power-off count when the power-on was asked (a change: cut before it ran). */
  private async start(part: string, offs: number): Promise<void> {
    const t0 = this.env.timeline.now();
    let instance = await this.spares.take();
    instance ??= await this.launcher.spawn(part, () => this.offs !== offs);
    if (!instance) return;
    if (this.offs !== offs) {
      // Cut while QEMU was starting: the board is off, which is what was asked last.
      if (this.resets) {
        this.spares.keep(instance);
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
      await resetForPowerOn(instance);
      await linkSerials(instance, this.env.stateDir);
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
      this.spares.prepare(part);
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
      throw this.launcher.startError(err, qemu, part);
    }
  }

  private async teardown(instance: QemuInstance, exit: QemuExit, part: string): Promise<void> {
    // The guest's SHUTDOWN event, if it sent one, may still be in flight when the process is seen gone.
    if (instance.qmp) await Promise.race([instance.qmp.closed, new Promise((r) => setTimeout(r, QMP_DRAIN_MS).unref())]);
    instance.qmp?.close();
    instance.qtest?.close();
    dropGpioLink(instance);
    if (this.current === instance) this.gpio.disconnect();
    for (const { server } of instance.servers) server.close();
    await unlinkSerials(instance);
    await rm(instance.runtimeDir, { recursive: true, force: true });
    if (this.current === instance) this.current = undefined;
    this.spares.forget(instance);
    if (!instance.announced) return;

    const { t, reason, rigFault } = goneReason(instance, exit, this.options.lifetime, this.env, part);
    for (const listener of [...this.listeners]) await listener.unpowered?.({ t, reason, rigFault });
  }
}

/** How long a QEMU whose QMP connection dropped may take to be seen exiting. */
const QEMU_EXIT_GRACE_MS = 1000;
