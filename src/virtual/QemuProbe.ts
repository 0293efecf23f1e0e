import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { duration } from '../config/duration.js';
import type { DriverContext } from '../drivers/DriverContext.js';
import { defineDriver } from '../drivers/DriverDefinition.js';
import type { ArmedBreakpoint, BreakpointProbe, CodeBreakpoint, FlashImage, FlashOptions, Halt, Probe } from '../drivers/probe/Probe.js';
import { RigError } from '../errors.js';
import { withCheck } from '../rig/DriverCheck.js';
import { hex } from '../rig/size.js';
import { gdbBatch } from './gdbBatch.js';
import { gdbBreak } from './gdbBreak.js';
import { imageFormat } from './imageFormat.js';
import type { DebugTarget, QemuBoard } from './QemuBoard.js';
import { qemuBoardFor } from './qemuBoardFor.js';

export interface QemuProbeOptions {
  gdb: string;
  timeoutMs: number;
}

/** A verify step for a raw binary: gdb dumps what landed in memory, then it is compared here. */
interface ReadBack {
  image: FlashImage;
  address: number;
  file: string;
  expected: Buffer;
}

/**
 * gdb on QEMU's gdbstub: the path a Black Magic Probe or a J-Link GDB server takes on real hardware.
 * With power on it halts the running board; with power off QEMU is started paused for the duration only.
 */
export class QemuProbe implements Probe, BreakpointProbe {
  constructor(
    private readonly board: QemuBoard,
    private readonly options: QemuProbeOptions,
    private readonly ctx: DriverContext,
  ) {}

  get description(): string {
    return `${this.options.gdb} on the ${this.board.description} gdbstub`;
  }

  async flash(images: FlashImage[], options: FlashOptions = {}): Promise<void> {
    const readBacks: ReadBack[] = [];
    await this.session(options.signal, async (dir, target) => {
      const commands: string[] = [];
      for (const [i, range] of (options.erase ?? []).entries()) {
        if (range.size <= 0) continue;
        await writeFile(join(dir, `erased${i}`), Buffer.alloc(range.size, 0xff));
        commands.push(`restore erased${i} binary ${hex(range.address)}`);
      }
      for (const [i, image] of images.entries()) {
        const format = await imageFormat(image.path, this.ctx.part);
        const name = `image${i}`;
        await symlink(image.path, join(dir, name));
        if (format !== 'binary') {
          commands.push(`file ${name}`, 'load');
          if (options.verify) commands.push('compare-sections');
          continue;
        }
        const address = image.address ?? this.board.defaultLoadAddress;
        if (address === undefined) {
          throw new RigError(this.ctx.part, `image ${image.name} is a raw binary: give it an address (or an nv entry an address)`);
        }
        const expected = await readFile(image.path);
        if (!expected.length) continue;
        commands.push(`restore ${name} binary ${hex(address)}`);
        if (options.verify) {
          const file = `verify${i}`;
          commands.push(`dump binary memory ${file} ${hex(address)} ${hex(address + expected.length)}`);
          readBacks.push({ image, address, file: join(dir, file), expected });
        }
      }
      if (options.reset && target.powered) commands.push('monitor system_reset');
      return commands;
    }, async () => {
      for (const check of readBacks) {
        const actual = await readFile(check.file);
        const at = firstDifference(check.expected, actual);
        if (at !== undefined) {
          throw new RigError(this.ctx.part, `verify failed: ${check.image.name} differs at ${hex(check.address + at)}`, {
            detail: `expected ${hex(check.expected[at] ?? 0)}, read ${actual[at] === undefined ? 'nothing' : hex(actual[at]!)}`,
          });
        }
      }
    });
  }

  /** Writes 0xFF over the range: the board's flash is a file, erased means all ones as on NOR. */
  async erase(address: number, length: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (length <= 0) return;
    await this.session(options.signal, async (dir) => {
      await writeFile(join(dir, 'erased'), Buffer.alloc(length, 0xff));
      return [`restore erased binary ${hex(address)}`];
    });
  }

  async read(address: number, length: number, options: { signal?: AbortSignal } = {}): Promise<Buffer> {
    if (length <= 0) return Buffer.alloc(0);
    let data = Buffer.alloc(0);
    let dumped = '';
    await this.session(
      options.signal,
      async (dir) => {
        dumped = join(dir, 'read');
        return [`dump binary memory read ${hex(address)} ${hex(address + length)}`];
      },
      async () => {
        data = await readFile(dumped);
      },
    );
    return data;
  }

  /** `monitor system_reset` on a running board. With power off there is nothing to reset: the next power-on is a reset. */
  async reset(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (!this.board.powered) return;
    await this.session(options.signal, async (_dir, target) => (target.powered ? ['monitor system_reset'] : []));
  }

  async close(): Promise<void> {}

  /**
   * A long-lived gdb on the running board: `break *symbol`, `ignore` the first hit−1 passes, `continue`. The
   * session holds the board's debugger (other probe work waits) until released, so the CPU stays halted at the
   * hit until power is cut.
   */
  async breakAt(breakpoint: CodeBreakpoint, options: { signal: AbortSignal; timeoutMs: number }): Promise<ArmedBreakpoint> {
    options.signal.throwIfAborted();
    if (!this.board.powered) throw new RigError(this.ctx.part, `cannot arm a breakpoint at ${breakpoint.symbol}: the board is not powered`);
    return new Promise<ArmedBreakpoint>((resolveArmed, rejectArmed) => {
      let armed = false;
      const session = this.board.withDebugger(this.ctx.part, async (target) => {
        if (!target.powered) throw new RigError(this.ctx.part, `cannot arm a breakpoint at ${breakpoint.symbol}: the board lost power`);
        const running = gdbBreak({
          part: this.ctx.part,
          gdb: this.options.gdb,
          target: target.gdb,
          breakpoint,
          timeoutMs: options.timeoutMs,
          timeline: this.ctx.timeline,
          signal: options.signal,
        });
        const halted: Promise<Halt> = running.halted.then((h) => ({ ...h, release: running.release }));
        // Rejections of `halted` are the caller's to see; they must not also count as unhandled here.
        halted.catch(() => undefined);
        await running.armed;
        armed = true;
        resolveArmed({ halted, release: running.release });
        await running.done;
      });
      session.catch((err: unknown) => {
        if (!armed) rejectArmed(err);
      });
    });
  }

  /** Connects and leaves: proves gdb is installed and reaches QEMU's gdbstub. */
  async check(): Promise<string> {
    await this.session(undefined, async () => []);
    return `${this.options.gdb} reaches the ${this.board.description} gdbstub`;
  }

  /** One gdb run in a scratch directory; `after` reads what gdb left there before it is removed. */
  private async session(
    signal: AbortSignal | undefined,
    commands: (dir: string, target: DebugTarget) => Promise<string[]>,
    after?: () => Promise<void>,
  ): Promise<void> {
    signal?.throwIfAborted();
    await this.board.withDebugger(this.ctx.part, async (target) => {
      const dir = await mkdtemp(join(tmpdir(), 'hil-gdb-'));
      try {
        await gdbBatch({
          part: this.ctx.part,
          gdb: this.options.gdb,
          target: target.gdb,
          commands: await commands(dir, target),
          leave: target.powered ? 'detach' : 'kill',
          dir,
          timeoutMs: this.options.timeoutMs,
          timeline: this.ctx.timeline,
          signal,
        });
        await after?.();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
}

function firstDifference(expected: Buffer, actual: Buffer): number | undefined {
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) if (expected[i] !== actual[i]) return i;
  return actual.length < expected.length ? actual.length : undefined;
}

const definition = defineDriver({
  kind: 'qemu',
  description: "gdb on the virtual board's gdbstub (resources.qemu): flash ELF/HEX/SREC/bin, read, erase, reset",
  schema: z.strictObject({
    kind: z.literal('qemu'),
    gdb: z.string().default('gdb-multiarch'),
    /** Bound on one gdb run. */
    timeout: duration.default(120_000),
  }),
  create: (options, ctx) => new QemuProbe(qemuBoardFor(ctx), { gdb: options.gdb, timeoutMs: options.timeout }, ctx),
});

export const qemuProbeDriver = withCheck(definition, (options, ctx) => definition.create(options, ctx).check());
