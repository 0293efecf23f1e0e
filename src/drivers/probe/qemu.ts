import { rm, symlink, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { duration } from '../../core/duration.js';
import type { DriverContext } from '../../protocols/DriverContext.js';
import { defineDriver } from '../../protocols/DriverDefinition.js';
import type {
  ArmedBreakpoint,
  BreakpointProbe,
  CodeBreakpoint,
  FlashFileProbe,
  FlashImage,
  FlashOptions,
  HandOverProbe,
  Probe,
  SurveyHalt,
  SurveyProbe,
  SurveyRun,
} from '../../protocols/Probe.js';
import { RigError } from '../../core/errors.js';
import { withCheck } from '../../protocols/DriverCheck.js';
import { hex } from '../../core/size.js';
import type { GdbMi } from '../../gdb/GdbMi.js';
import { imageFormat } from '../../image/imageFormat.js';
import type { DebugTarget } from '../../virtual/DebugTarget.js';
import type { QemuBoard } from '../../virtual/QemuBoard.js';
import { qemuBoardFor } from '../../virtual/qemuBoardFor.js';
import { guardRegions } from '../support/regionGuard.js';
import { ProbeProgress } from '../../protocols/ProbeProgress.js';
import { breakSession, countingBreakpoint, traceOf, watchWord } from './qemuBreakSession.js';
import { finalBytes, firstDifference, plannedWrites, readRange, type PlannedWrite } from './qemuFlashPlan.js';
import { connect, dropBreakpoints, leave, programCounter, QUICK_MS } from './qemuGdbLink.js';
import { loadedSymbols, loadSymbols } from './gdbSymbols.js';
import { restoreFlashFiles } from './qemuFlashRestore.js';
import { surveySession } from './qemuHitSurvey.js';

export interface QemuProbeOptions {
  gdb: string;
  timeoutMs: number;
}

/** Gives a scratch file a name no other operation of this gdb uses; relative to the gdb's directory. */
type ScratchName = (name: string) => string;

/** Bytes per `restore` of a raw image: the unit of flash progress. The virtual rig's slots (64 KiB) take one. */
const RESTORE_CHUNK = 64 * 1024;

/**
 * gdb on QEMU's gdbstub: the path a Black Magic Probe or a J-Link GDB server takes on real hardware. One gdb
 * (machine interface) serves all of a session's operations; each one connects, works and disconnects. With power
 * on it halts the running board (which runs on when gdb is gone); with power off it works on the paused QEMU of
 * the next power-on.
 */
export class QemuProbe implements Probe, BreakpointProbe, FlashFileProbe, HandOverProbe, SurveyProbe {
  readonly progress: ProbeProgress;
  /** The buffers restores read the flash files into, kept for the next one. */
  private readonly flashRead = new Map<string, Buffer>();

  constructor(
    private readonly board: QemuBoard,
    private readonly options: QemuProbeOptions,
    private readonly ctx: DriverContext,
  ) {
    this.progress = new ProbeProgress(ctx);
  }

  get description(): string {
    return `${this.options.gdb} on the ${this.board.description} gdbstub`;
  }

  async flash(images: FlashImage[], options: FlashOptions = {}): Promise<void> {
    guardRegions(images, this.ctx.part);
    const writes = await plannedWrites(images, options.erase ?? [], this.board.defaultLoadAddress, this.ctx.part);
    if (writes && (await this.flashWhileOff(images, options, writes))) return;
    const { signal } = options;
    await this.session(signal, async (run, target, scratch, dir) => {
      for (const range of options.erase ?? []) {
        if (range.size <= 0) continue;
        const name = scratch('erased');
        await writeFile(join(dir, name), Buffer.alloc(range.size, 0xff));
        await this.restore(gdbRestore(run, name, range.address), range.address, range.size, 'erase', hex(range.address), writes, signal);
      }
      for (const image of images) {
        const format = await imageFormat(image.path, this.ctx.part);
        const name = scratch('image');
        await symlink(image.path, join(dir, name));
        if (format !== 'binary') {
          await run(`file ${name}`);
          // gdb's `load` says nothing until it is done: the start and the end are all there is to show.
          this.progress.report({ phase: 'load', percent: 0, image: image.name });
          await run('load');
          this.progress.report({ phase: 'load', percent: 100, image: image.name });
          if (options.verify) await run('compare-sections');
          continue;
        }
        const address = image.address ?? this.board.defaultLoadAddress;
        if (address === undefined) {
          throw new RigError(this.ctx.part, `image ${image.name} is a raw binary: give it an address (or an nv entry an address)`);
        }
        const expected = await readFile(image.path);
        if (!expected.length) continue;
        await this.restore(gdbRestore(run, name, address), address, expected.length, 'program', image.name, writes, signal);
        if (!options.verify) continue;
        const dumped = scratch('verify');
        await run(`dump binary memory ${dumped} ${hex(address)} ${hex(address + expected.length)}`);
        verified(image.name, address, expected, await readFile(join(dir, dumped)), this.ctx.part);
      }
      if (options.reset && target.powered) await run('monitor system_reset');
    });
  }

  /**
   * powerCycle reset with power off, every write into a flash file: the writes go into the paused QEMU through
   * qtest, chunk by chunk as `restore` would, without gdb (a connection and a `restore` per chunk cost 30 to 80
   * ms a case under load). False when that is not so: gdb does the work.
   */
  private async flashWhileOff(images: FlashImage[], options: FlashOptions, writes: PlannedWrite[]): Promise<boolean> {
    if (!writes.every((w) => !w.bytes.length || this.board.flashFileAt(w.address, w.bytes.length))) return false;
    const erases = writes.length - images.length;
    const done = await this.board.whileOff(this.ctx.part, async (write) => {
      for (const [i, w] of writes.entries()) {
        if (!w.bytes.length) continue;
        const image = i < erases ? undefined : images[i - erases]!;
        const chunk = (at: number, end: number) => write(w.address + at, w.bytes.subarray(at, end));
        await this.restore(
          chunk,
          w.address,
          w.bytes.length,
          image ? 'program' : 'erase',
          image?.name ?? hex(w.address),
          writes,
          options.signal,
        );
      }
    });
    if (!done) return false;
    if (options.verify) {
      for (const [i, image] of images.entries()) {
        const { address, bytes } = writes[erases + i]!;
        const file = this.board.flashFileAt(address, bytes.length);
        if (bytes.length && file)
          verified(image.name, address, bytes, (await readRange(file.path, file.offset, bytes.length)) ?? Buffer.alloc(0), this.ctx.part);
      }
    }
    return true;
  }

  /**
   * Writes `size` bytes at `address` a chunk at a time (`chunk(at, end)`: bytes [at, end) to address + at), each
   * reported as progress with its bytes: a large image shows how far it got; one of a chunk or less is the single
   * write it always was. A chunk of flash that already holds what the whole flash operation leaves there is not
   * written again (the flash file says so without gdb).
   */
  private async restore(
    chunk: (at: number, end: number) => Promise<void>,
    address: number,
    size: number,
    phase: string,
    image: string | undefined,
    writes: PlannedWrite[] | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    this.progress.report({ phase, percent: 0, image, bytes: 0, total: size });
    for (let at = 0; at < size; at += RESTORE_CHUNK) {
      signal?.throwIfAborted();
      const end = Math.min(size, at + RESTORE_CHUNK);
      if (!(writes && (await this.holdsAlready(writes, address + at, address + end)))) await chunk(at, end);
      this.progress.report({ phase, percent: (100 * end) / size, image, bytes: end, total: size });
    }
  }

  /** Whether the flash file holds, over [from, to), what the flash operation's writes leave there in the end. */
  private async holdsAlready(writes: PlannedWrite[], from: number, to: number): Promise<boolean> {
    const file = this.board.flashFileAt(from, to - from);
    const now = file && (await readRange(file.path, file.offset, to - from));
    return !!now && now.equals(finalBytes(writes, from, to));
  }

  /** Writes 0xFF over the range: the board's flash is a file, erased means all ones as on NOR. */
  async erase(address: number, length: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (length <= 0) return;
    await this.flash([], { erase: [{ address, size: length }], signal: options.signal });
  }

  /** From the flash file where the range is flash (no debugger, no halt), else through gdb. */
  async read(address: number, length: number, options: { signal?: AbortSignal } = {}): Promise<Buffer> {
    if (length <= 0) return Buffer.alloc(0);
    options.signal?.throwIfAborted();
    const file = this.board.flashFileAt(address, length);
    // A file not made yet (no QEMU started on this state) is made erased by the QEMU gdb starts.
    const bytes = file && (await readRange(file.path, file.offset, length));
    if (bytes) return bytes;
    return this.session(options.signal, async (run, _target, scratch, dir) => {
      const name = scratch('read');
      await run(`dump binary memory ${name} ${hex(address)} ${hex(address + length)}`);
      return readFile(join(dir, name));
    });
  }

  /** `monitor system_reset` on a running board. With power off there is nothing to reset: the next power-on is a reset. */
  async reset(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (!this.board.powered) return;
    await this.session(options.signal, async (run, target) => {
      if (target.powered) await run('monitor system_reset');
    });
  }

  flashFiles(): Array<{ name: string; path: string }> {
    return this.board.flashFiles();
  }

  /** gdb is the board's: it stays for the next session on the board, and goes when the board is closed. */
  async close(): Promise<void> {}

  /**
   * `break *symbol` counting calls, then `continue`. The session holds the board's debugger (other probe work
   * waits) until released, so the CPU stays halted at the hit until power is cut. A breakpoint with a `sequence`
   * whose earlier hits are known (hitTrace.ts) runs to the latest of them on a watchpoint and counts from there.
   */
  async breakAt(breakpoint: CodeBreakpoint, options: { signal: AbortSignal; timeoutMs: number }): Promise<ArmedBreakpoint> {
    options.signal.throwIfAborted();
    if (!this.board.powered) throw new RigError(this.ctx.part, `cannot arm a breakpoint at ${breakpoint.symbol}: the board is not powered`);
    const gdb = this.gdb();
    gdb.catch(() => undefined);
    return new Promise<ArmedBreakpoint>((resolveArmed, rejectArmed) => {
      let armed = false;
      const session = this.board.withDebugger(this.ctx.part, async (target) => {
        if (!target.powered) throw new RigError(this.ctx.part, `cannot arm a breakpoint at ${breakpoint.symbol}: the board lost power`);
        const mi = await gdb;
        await connect(mi, target, options.signal);
        const trace = await traceOf(breakpoint);
        const waypoint = trace?.trace.waypoint(breakpoint.hit);
        try {
          await loadSymbols(mi, breakpoint.symbols, options.signal);
          // To a known hit on a watchpoint, then counting (breakSession); or counting from the first call.
          const commands = waypoint ? [watchWord(waypoint)] : countingBreakpoint(breakpoint.symbol, breakpoint.hit);
          for (const command of commands) await mi.cli(command, { timeoutMs: QUICK_MS, signal: options.signal });
        } catch (err) {
          await dropBreakpoints(mi);
          if (!(err instanceof RigError)) throw err;
          throw new RigError(
            this.ctx.part,
            `gdb could not arm a breakpoint at ${breakpoint.symbol}: ${err.message.replace(/^gdb: /, '')}`,
            { detail: err.detail, cause: err },
          );
        }
        const session = breakSession(mi, target, breakpoint, options, this.board.options.flashOps, trace && { ...trace, waypoint });
        try {
          await session.armed;
        } catch (err) {
          await dropBreakpoints(mi);
          throw err;
        }
        armed = true;
        resolveArmed({ halted: session.halted, release: session.release });
        await session.released;
      });
      session.catch((err: unknown) => {
        if (!armed) rejectArmed(err);
      });
    });
  }

  /** A breakpoint at every call, held like `breakAt`'s (qemuHitSurvey.ts): the CPU stays halted while `onHit` looks. */
  async survey(
    code: { symbol: string; symbols: string },
    options: { signal: AbortSignal; timeoutMs: number },
    onHit: (halt: SurveyHalt) => Promise<boolean>,
  ): Promise<SurveyRun> {
    options.signal.throwIfAborted();
    if (!this.board.powered) throw new RigError(this.ctx.part, `cannot survey the calls of ${code.symbol}: the board is not powered`);
    const gdb = this.gdb();
    gdb.catch(() => undefined);
    return surveySession(this.board, this.ctx.part, gdb, code, options, onHit);
  }

  /** Only the ranges that differ from what the files hold now are written, through qtest into the paused QEMU. */
  restoreFlashFiles(files: Array<{ name: string; bytes: Buffer }>, options: { signal?: AbortSignal } = {}): Promise<boolean> {
    return restoreFlashFiles(this.board, this.ctx.part, files, this.flashRead, options.signal);
  }

  /** gdb started ahead: a start takes hundreds of ms on a loaded machine, a connect a few. */
  async readyToHalt(): Promise<void> {
    await this.gdb();
  }

  /** Connecting halts QEMU's CPU; disconnecting with the board told to keep it halted leaves it so, the gdbstub free. */
  async haltAndHandOver(options: { signal?: AbortSignal } = {}): Promise<{ pc?: number; address: string }> {
    options.signal?.throwIfAborted();
    if (!this.board.powered) throw new RigError(this.ctx.part, 'cannot halt the board: it is not powered');
    const gdb = this.gdb();
    gdb.catch(() => undefined);
    return this.board.withDebugger(this.ctx.part, async (target) => {
      if (!target.powered) throw new RigError(this.ctx.part, 'cannot halt the board: it lost power');
      const mi = await gdb;
      await connect(mi, target, options.signal);
      target.keepHalted();
      try {
        return { pc: await programCounter(mi), address: target.gdb };
      } finally {
        await leave(mi);
      }
    });
  }

  /** Connects and leaves: proves gdb is installed and reaches QEMU's gdbstub. */
  async check(): Promise<string> {
    await this.session(undefined, async () => undefined);
    return `${this.options.gdb} reaches the ${this.board.description} gdbstub`;
  }

  /** The board's gdb, stamping halts on this session's clock. */
  private async gdb(): Promise<GdbMi> {
    const mi = await this.board.gdb(this.options.gdb, this.ctx.part);
    mi.bind(this.ctx.timeline);
    return mi;
  }

  /** One operation: connect, `work` (CLI commands through `run`, files in the gdb's directory), let go. */
  private async session<T>(
    signal: AbortSignal | undefined,
    work: (run: (command: string) => Promise<void>, target: DebugTarget, scratch: ScratchName, dir: string) => Promise<T>,
  ): Promise<T> {
    signal?.throwIfAborted();
    // Started before waiting for the board: gdb and a spare QEMU come up side by side.
    const gdb = this.gdb();
    gdb.catch(() => undefined);
    return this.board.withDebugger(this.ctx.part, async (target) => {
      const mi = await gdb;
      const files: string[] = [];
      const scratch: ScratchName = (name) => {
        files.push(mi.scratchName(name));
        return files.at(-1)!;
      };
      const run = async (command: string) => {
        // An ELF `load` names its file first: the symbols loaded are then that image's.
        if (command.startsWith('file ')) loadedSymbols.delete(mi);
        await mi.cli(command, { timeoutMs: this.options.timeoutMs, signal });
      };
      await connect(mi, target, signal);
      try {
        return await work(run, target, scratch, mi.dir);
      } finally {
        await leave(mi);
        await Promise.all(files.map((f) => rm(join(mi.dir, f), { force: true })));
      }
    });
  }
}

/** `restore` of a chunk of a raw file `name` that goes to `address` (file bytes [at, end) to address + at). */
function gdbRestore(run: (command: string) => Promise<void>, name: string, address: number) {
  return (at: number, end: number) => run(`restore ${name} binary ${hex(address)} ${hex(at)} ${hex(end)}`);
}

/** Throws the verify failure when `actual` (read back) differs from `expected` (the image written at `address`). */
function verified(image: string, address: number, expected: Buffer, actual: Buffer, part: string): void {
  const at = firstDifference(expected, actual);
  if (at === undefined) return;
  throw new RigError(part, `verify failed: ${image} differs at ${hex(address + at)}`, {
    detail: `expected ${hex(expected[at] ?? 0)}, read ${actual[at] === undefined ? 'nothing' : hex(actual[at]!)}`,
  });
}

const definition = defineDriver({
  kind: 'qemu',
  example: '{ kind: qemu }',
  description: "gdb on the virtual board's gdbstub (resources.qemu): flash ELF/HEX/SREC/bin, read, erase, reset",
  schema: z.strictObject({
    kind: z.literal('qemu'),
    gdb: z.string().default('gdb-multiarch').describe("the gdb that talks to QEMU's gdbstub"),
    timeout: duration.default(120_000).describe('Bound on one gdb command (a `load`, a `restore`, a `dump`).'),
  }),
  create: (options, ctx) => new QemuProbe(qemuBoardFor(ctx), { gdb: options.gdb, timeoutMs: options.timeout }, ctx),
  tools: (options) => [{ tool: 'gdb', command: options.gdb }],
});

export const qemuProbeDriver = withCheck(definition, async (options, ctx) => {
  const probe = definition.create(options, ctx);
  try {
    return await probe.check();
  } finally {
    await probe.close();
  }
});
