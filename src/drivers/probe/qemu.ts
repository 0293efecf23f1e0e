import { createHash } from 'node:crypto';
import { open, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { duration, formatDuration } from '../../core/duration.js';
import type { DriverContext } from '../../protocols/DriverContext.js';
import { defineDriver } from '../../protocols/DriverDefinition.js';
import type {
  ArmedBreakpoint,
  BreakpointProbe,
  CodeBreakpoint,
  FlashFileProbe,
  FlashImage,
  FlashOptions,
  Halt,
  Probe,
} from '../../protocols/Probe.js';
import { RigError } from '../../core/errors.js';
import { withCheck } from '../../protocols/DriverCheck.js';
import { hex } from '../../core/size.js';
import { GdbMi, type MiStop } from '../../gdb/GdbMi.js';
import { imageFormat } from '../../image/imageFormat.js';
import type { DebugTarget } from '../../virtual/DebugTarget.js';
import type { QemuBoard } from '../../virtual/QemuBoard.js';
import { qemuBoardFor } from '../../virtual/qemuBoardFor.js';
import { guardRegions } from '../support/regionGuard.js';
import { applyFault } from '../support/gdbFault.js';
import type { FlashOps } from '../../virtual/QemuBoardOptions.js';
import { ProbeProgress } from '../../protocols/ProbeProgress.js';
import { CALL_REGISTERS, dropHitTrace, hitTrace, type HitTrace, type Waypoint } from './hitTrace.js';

export interface QemuProbeOptions {
  gdb: string;
  timeoutMs: number;
}

/** Gives a scratch file a name no other operation of this gdb uses; relative to the gdb's directory. */
type ScratchName = (name: string) => string;

/** Bytes per `restore` of a raw image: the unit of flash progress. The virtual rig's slots (64 KiB) take one. */
const RESTORE_CHUNK = 64 * 1024;

/** Bound on the commands that only talk to gdb and QEMU (connect, detach, delete a breakpoint). */
const QUICK_MS = 10_000;

/**
 * gdb on QEMU's gdbstub: the path a Black Magic Probe or a J-Link GDB server takes on real hardware. One gdb
 * (machine interface) serves all of a session's operations; each one connects, works and disconnects. With power
 * on it halts the running board (which runs on when gdb is gone); with power off it works on the paused QEMU of
 * the next power-on.
 */
export class QemuProbe implements Probe, BreakpointProbe, FlashFileProbe {
  readonly progress: ProbeProgress;

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
    await this.session(options.signal, async (run, target, scratch, dir) => {
      for (const range of options.erase ?? []) {
        if (range.size <= 0) continue;
        const name = scratch('erased');
        await writeFile(join(dir, name), Buffer.alloc(range.size, 0xff));
        await this.restore(run, name, range.address, range.size, 'erase', hex(range.address), writes);
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
        await this.restore(run, name, address, expected.length, 'program', image.name, writes);
        if (!options.verify) continue;
        const dumped = scratch('verify');
        await run(`dump binary memory ${dumped} ${hex(address)} ${hex(address + expected.length)}`);
        const actual = await readFile(join(dir, dumped));
        const at = firstDifference(expected, actual);
        if (at !== undefined) {
          throw new RigError(this.ctx.part, `verify failed: ${image.name} differs at ${hex(address + at)}`, {
            detail: `expected ${hex(expected[at] ?? 0)}, read ${actual[at] === undefined ? 'nothing' : hex(actual[at]!)}`,
          });
        }
      }
      if (options.reset && target.powered) await run('monitor system_reset');
    });
  }

  /**
   * `restore` of a raw file at `address`, a chunk at a time, each reported as progress with its bytes: a large
   * image shows how far it got; one of a chunk or less is the single command it always was.
   */
  private async restore(
    run: (command: string) => Promise<void>,
    name: string,
    address: number,
    size: number,
    phase: string,
    image: string | undefined,
    writes: PlannedWrite[] | undefined,
  ): Promise<void> {
    this.progress.report({ phase, percent: 0, image, bytes: 0, total: size });
    for (let at = 0; at < size; at += RESTORE_CHUNK) {
      const end = Math.min(size, at + RESTORE_CHUNK);
      // Binary restore: file bytes [at, end) go to address + at. A chunk of flash that already holds what the
      // whole flash operation leaves there is not written again (the flash file says so without gdb).
      if (!(writes && (await this.holdsAlready(writes, address + at, address + end))))
        await run(`restore ${name} binary ${hex(address)} ${hex(at)} ${hex(end)}`);
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
        const symbols = mi.scratchName('symbols.elf');
        await symlink(breakpoint.symbols, join(mi.dir, symbols));
        const removeSymbols = () => rm(join(mi.dir, symbols), { force: true });
        // Left in gdb's list, the breakpoint would be inserted again by the next operation that resumes.
        const abandon = async () => {
          await mi.command('-break-delete', { timeoutMs: QUICK_MS }).catch(() => mi.kill());
          await leave(mi);
          await removeSymbols();
        };
        const trace = await traceOf(breakpoint);
        const waypoint = trace?.trace.waypoint(breakpoint.hit);
        try {
          await mi.cli(`file ${symbols}`, { timeoutMs: QUICK_MS, signal: options.signal });
          // To a known hit on a watchpoint, then counting (breakSession); or counting from the first call.
          const commands = waypoint ? [watchWord(waypoint)] : countingBreakpoint(breakpoint.symbol, breakpoint.hit);
          for (const command of commands) await mi.cli(command, { timeoutMs: QUICK_MS, signal: options.signal });
        } catch (err) {
          await abandon();
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
          await abandon();
          throw err;
        }
        armed = true;
        resolveArmed({ halted: session.halted, release: session.release });
        await session.released;
        await removeSymbols();
      });
      session.catch((err: unknown) => {
        if (!armed) rejectArmed(err);
      });
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

/** gdb keeps a link to a board that lost power until told: drop it first, then connect to this QEMU. */
async function connect(mi: GdbMi, target: DebugTarget, signal: AbortSignal | undefined): Promise<void> {
  if (mi.attached) await mi.command('-target-disconnect', { timeoutMs: QUICK_MS }).catch(() => undefined);
  await mi.command(`-target-select remote ${target.gdb}`, { timeoutMs: QUICK_MS, signal });
}

/**
 * Lets go of the board without resuming it (the board resumes a powered CPU itself). A gdb that cannot leave
 * cleanly is killed (the link goes with it).
 */
async function leave(mi: GdbMi): Promise<void> {
  if (!mi.alive) return;
  await mi.command('-target-disconnect', { timeoutMs: QUICK_MS }).catch(() => mi.kill());
}

/**
 * The armed part of a breakpoint session: `continue`, then the first stop is the hit. Released after a halt, the
 * CPU stays where it is (power is being cut): the breakpoint goes and gdb disconnects. Released before, the target
 * is interrupted, the breakpoint removed and gdb disconnected, so the board runs on as if no debugger had been
 * there. A stop that is not the breakpoint is not the hit. While armed, gdb runs the CPU: the board is told, so
 * that a power cut then kills QEMU rather than stopping a CPU gdb would resume.
 */
function breakSession(
  mi: GdbMi,
  target: DebugTarget,
  breakpoint: CodeBreakpoint,
  options: { signal: AbortSignal; timeoutMs: number },
  flashOps: FlashOps | undefined,
  traced?: { trace: HitTrace; key: string; waypoint?: Waypoint },
) {
  const { symbol, hit } = breakpoint;
  const waypoint = traced?.waypoint;
  /** Hits the counting breakpoint leaves out: reached on the watchpoint. Undefined while running to it. */
  let before: number | undefined = waypoint ? undefined : 0;
  const first = mi.nextStop();
  first.catch(() => undefined);
  const stop = waypoint ? first.then((s) => toWaypoint(s, waypoint)) : first;
  // Whatever ends the run (the hit, an interrupt, the target going away), gdb no longer resumes the CPU.
  stop.then(
    () => target.debuggerRuns(false),
    () => target.debuggerRuns(false),
  );
  let isHalted = false;
  let stoppedOtherwise = false;
  let targetGone = false;
  let releasedEarly = false;
  /** Stopped on the watchpoint, not yet resumed: a release has nothing to interrupt. */
  let atWatch = false;
  let onReleased!: () => void;
  const released = new Promise<void>((r) => (onReleased = r));
  let releasing: Promise<number | undefined> | undefined;
  const counted = async () => {
    const calls = before === undefined ? undefined : await callsCounted(mi);
    return calls === undefined || before === undefined ? undefined : before + calls;
  };
  const release = () =>
    (releasing ??= (async () => {
      let calls: number | undefined;
      try {
        if (atWatch && mi.alive) {
          releasedEarly = true;
          await mi.command('-break-delete', { timeoutMs: QUICK_MS });
          await leave(mi);
        } else if (!isHalted && !stoppedOtherwise && !targetGone && mi.alive) {
          releasedEarly = true;
          const interrupted = mi.nextStop();
          interrupted.catch(() => undefined);
          await mi.command('-exec-interrupt', { timeoutMs: QUICK_MS });
          await withTimeout(interrupted, QUICK_MS);
          calls = await counted();
          await mi.command('-break-delete', { timeoutMs: QUICK_MS });
          await leave(mi);
        } else if (mi.alive) {
          // The count is gdb's own variable: still there when the board is gone. Halted, it is the hit.
          calls = isHalted ? hit : await counted();
          await mi.command('-break-delete', { timeoutMs: QUICK_MS });
          // Killed, the board took the link with it; stopped, it is still there and must not be resumed.
          if (!targetGone) await mi.command('-target-disconnect', { timeoutMs: QUICK_MS }).catch(() => undefined);
        }
      } catch {
        // The link is gone or gdb is stuck: a new gdb serves the next operation.
        mi.kill();
      } finally {
        onReleased();
      }
      return calls;
    })());

  /**
   * Stops on the watched word until one is inside the function: that call is the waypoint's hit (no earlier
   * call used the word). Then the counting breakpoint for the hits after it, and on to the next stop.
   */
  async function toWaypoint(s: MiStop, at: Waypoint): Promise<MiStop> {
    for (;;) {
      if (releasedEarly || !s.reason?.endsWith('watchpoint-trigger')) return s;
      atWatch = true;
      if (s.func === symbol) break;
      s = await resume();
    }
    await mi.command('-break-delete', { timeoutMs: QUICK_MS });
    for (const command of countingBreakpoint(symbol, hit - at.hit)) await mi.cli(command, { timeoutMs: QUICK_MS });
    before = at.hit;
    if (releasedEarly) return s;
    return resume();
  }
  async function resume(): Promise<MiStop> {
    const next = mi.nextStop();
    next.catch(() => undefined);
    atWatch = false;
    await mi.command('-exec-continue', { timeoutMs: QUICK_MS, signal: options.signal });
    return next;
  }

  const halted = new Promise<Halt>((resolve, reject) => {
    const fail = (error: unknown) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new RigError(mi.part, `no hit ${hit} of ${symbol} within ${formatDuration(options.timeoutMs)}`)),
      options.timeoutMs,
    );
    const onAbort = () => fail(options.signal.reason);
    options.signal.addEventListener('abort', onAbort, { once: true });
    stop.then(
      async (s) => {
        // The stop of the interrupt that released the session is not the hit.
        if (releasedEarly) return fail(new RigError(mi.part, `gdb was released before hit ${hit} of ${symbol}`));
        if (s.reason !== 'breakpoint-hit') {
          stoppedOtherwise = true;
          return fail(
            new RigError(
              mi.part,
              `the board stopped before hit ${hit} of ${symbol}, not at the breakpoint (${s.reason ?? 'no reason given'})`,
            ),
          );
        }
        isHalted = true;
        if (traced && !(await learn(mi, traced, hit))) {
          return fail(
            new RigError(
              mi.part,
              `hit ${hit} of ${symbol} is not the call it was on an earlier case of the same sweep: the firmware's calls differ from case to case`,
            ),
          );
        }
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        resolve({
          t: s.t,
          pc: s.addr,
          release: () => release().then(() => undefined),
          fault: (fault) => applyFault({ mi, symbol, ops: flashOps, runTo: (address, ms) => runTo(mi, target, address, ms) }, fault),
        });
      },
      (err: unknown) => {
        targetGone = true;
        fail(new RigError(mi.part, `gdb lost the board before hit ${hit} of ${symbol}: ${(err as Error).message}`));
      },
    );
  });
  // Rejections of `halted` are the caller's to see; they must not also count as unhandled here.
  halted.catch(() => undefined);
  target.debuggerRuns(true);
  const armed = mi.command('-exec-continue', { timeoutMs: QUICK_MS, signal: options.signal }).then(() => undefined);
  armed.catch(() => onReleased());
  return { armed, halted, release, released };
}

/**
 * From a halt, lets the CPU run to `address` (a temporary breakpoint) and halts there. The board is told gdb runs
 * the CPU until it halted again: a cut meanwhile kills QEMU rather than stopping a CPU gdb would resume.
 */
async function runTo(mi: GdbMi, target: DebugTarget, address: number, timeoutMs: number): Promise<{ t: number; pc?: number }> {
  await mi.command(`-break-insert -t *${hex(address)}`, { timeoutMs: QUICK_MS });
  const stop = mi.nextStop();
  stop.catch(() => undefined);
  target.debuggerRuns(true);
  await mi.command('-exec-continue', { timeoutMs: QUICK_MS });
  const s = await withTimeout(stop, timeoutMs);
  if (s.reason !== 'breakpoint-hit')
    throw new RigError(mi.part, `the board stopped on its way to ${hex(address)}, not at it (${s.reason ?? 'no reason given'})`);
  target.debuggerRuns(false);
  return { t: s.t, pc: s.addr };
}

/** The trace of the breakpoint's sequence of calls, keyed also by the ELF's contents (a rebuilt ELF is another firmware). */
async function traceOf(breakpoint: CodeBreakpoint): Promise<{ trace: HitTrace; key: string } | undefined> {
  if (!breakpoint.sequence) return undefined;
  const elf = await readFile(breakpoint.symbols).catch(() => undefined);
  if (!elf) return undefined;
  const firmware = createHash('sha256').update(elf).digest('hex');
  const key = JSON.stringify([breakpoint.sequence, firmware, breakpoint.symbol]);
  return { trace: hitTrace(key), key };
}

/** Records the halted call's registers in the trace; false if the same hit was another call before. */
async function learn(mi: GdbMi, traced: { trace: HitTrace; key: string }, hit: number): Promise<boolean> {
  const expression = `{${CALL_REGISTERS.map((r) => `(unsigned int)$${r}`).join(', ')}}`;
  const { results } = await mi.command(`-data-evaluate-expression "${expression}"`, { timeoutMs: QUICK_MS }).catch(() => ({ results: '' }));
  const values = /value="\{([\d, ]+)\}"/.exec(results)?.[1]?.split(',').map(Number);
  if (values?.length !== CALL_REGISTERS.length) return true;
  if (traced.trace.record(hit, values)) return true;
  dropHitTrace(traced.key);
  return false;
}

/**
 * A write watchpoint on the word the waypoint's call programs. Not an access watchpoint: code running from the
 * same flash reads its constants there, and a stop per read made a case miss its hit.
 */
function watchWord(waypoint: Waypoint): string {
  return `watch *(unsigned int *)${hex(waypoint.address)}`;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The calls the counting breakpoint saw (its condition counts them in `$hil_calls`); undefined if gdb cannot say. */
async function callsCounted(mi: GdbMi): Promise<number | undefined> {
  const { results } = await mi.command('-data-evaluate-expression $hil_calls', { timeoutMs: QUICK_MS }).catch(() => ({ results: '' }));
  const value = /value="(\d+)"/.exec(results)?.[1];
  return value === undefined ? undefined : Number(value);
}

/**
 * `break *symbol` that stops at the `hit`-th call. Not gdb's `ignore` count: an exception taken at the
 * breakpoint (a timer interrupt right at the function's entry) returns to the same instruction and reports the
 * breakpoint again, so `ignore` counts one call twice (seen: hit 500 stopped after 496 to 498 words). A stop is
 * a new call only when the stack, return address or arguments differ from the previous stop's; the counting
 * happens in the condition, which gdb evaluates at every stop.
 */
function countingBreakpoint(symbol: string, hit: number): string[] {
  const saved = (r: string) => `$hil_${r}`;
  const changed = CALL_REGISTERS.map((r) => `$${r} != ${saved(r)}`).join(' || ');
  const remember = [...CALL_REGISTERS.map((r) => `${saved(r)} = $${r}`), '$hil_calls = $hil_calls + 1'].join(', ');
  return [
    ...CALL_REGISTERS.map((r) => `set var ${saved(r)} = -1`),
    'set var $hil_calls = 0',
    `break *${symbol} if (${changed}) && (${remember}) == ${hit}`,
  ];
}

/** One write of a flash operation: its bytes at its address, in the order the operation writes them. */
interface PlannedWrite {
  address: number;
  bytes: Buffer;
}

/**
 * The writes of a flash operation of erases and raw binaries, in order; undefined when an image is not a raw
 * binary (an ELF or HEX `load` writes where its sections say), or a raw one has no address (flash() says so).
 */
async function plannedWrites(
  images: FlashImage[],
  erase: Array<{ address: number; size: number }>,
  defaultAddress: number | undefined,
  part: string,
): Promise<PlannedWrite[] | undefined> {
  const writes: PlannedWrite[] = erase.filter((r) => r.size > 0).map((r) => ({ address: r.address, bytes: Buffer.alloc(r.size, 0xff) }));
  for (const image of images) {
    const address = image.address ?? defaultAddress;
    if (address === undefined || (await imageFormat(image.path, part)) !== 'binary') return undefined;
    writes.push({ address, bytes: await readFile(image.path) });
  }
  return writes;
}

/** What [from, to) holds once every write is done: the last write to cover a byte decides it. */
function finalBytes(writes: PlannedWrite[], from: number, to: number): Buffer {
  const out = Buffer.alloc(to - from);
  for (const w of writes) {
    const start = Math.max(from, w.address);
    const end = Math.min(to, w.address + w.bytes.length);
    if (start < end) w.bytes.copy(out, start - from, start - w.address, end - w.address);
  }
  return out;
}

/** `length` bytes of `path` from `offset`; undefined if the file is missing or shorter. */
async function readRange(path: string, offset: number, length: number): Promise<Buffer | undefined> {
  const file = await open(path, 'r').catch(() => undefined);
  if (!file) return undefined;
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, offset);
    return bytesRead === length ? buffer : undefined;
  } finally {
    await file.close();
  }
}

function firstDifference(expected: Buffer, actual: Buffer): number | undefined {
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) if (expected[i] !== actual[i]) return i;
  return actual.length < expected.length ? actual.length : undefined;
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
