import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { z } from 'zod';
import type { CatchUpConsole, Console, ConsoleListener } from '../../protocols/Console.js';
import { LineSplitter } from '../support/LineSplitter.js';
import type { DriverContext } from '../../protocols/DriverContext.js';
import { defineDriver } from '../../protocols/DriverDefinition.js';
import { RigError } from '../../core/errors.js';
import { withCheck } from '../../protocols/DriverCheck.js';
import type { Unpowered } from '../../virtual/BoardListener.js';
import type { QemuBoard } from '../../virtual/QemuBoard.js';
import { qemuBoardFor } from '../../virtual/qemuBoardFor.js';

/** How long a closing pty may still deliver what the guest wrote just before the cut. */
const DRAIN_MS = 200;
/**
 * How long a stopped board's console may take to deliver the bytes QEMU says the guest wrote: they are in the pty
 * already, so this bounds only a stalled Node on a loaded machine. A drain cut short leaves the model short of
 * lines the board printed before the cut, and a multi-cut sweep compares its state there.
 */
const COUNTED_DRAIN_MS = 2000;

/**
 * The console on one of the board's pty UARTs, opened before the guest runs (so the first line is never lost);
 * a power-off shows as a gap, the next power-on as a resume. powerCycle restart: each power-on makes a new pty,
 * like a USB-serial adapter re-enumerating. powerCycle reset: the pty stays open across power cycles, like the
 * virtual COM port of a debug probe powered from USB; at a cut, everything the guest wrote before it is read
 * (QEMU's byte count says how much) before the gap, so no line of the next boot starts with the last one's tail.
 * Input: QEMU 7.2 starts reading a pty only when its once-a-second reconnect poll sees it open, so bytes written
 * in the first second after the pty is opened wait in it (kept, in order) until then.
 */
export class QemuConsole implements Console, CatchUpConsole {
  private port?: SerialPort;
  private portPath?: string;
  /** Bytes read from the pty in this power-on, and how many QEMU had written in it before the pty was opened. */
  private received = 0;
  private missed = 0;
  private drained?: { bytes: number; done(): void };
  private opened = false;
  private gapAt?: number;
  private unlisten?: () => void;
  private readonly listeners = new Set<ConsoleListener>();
  private readonly splitter = new LineSplitter({
    line: (line) => this.emit((l) => l.line?.(line)),
    segment: (segment) => this.emit((l) => l.segment?.(segment)),
  });

  constructor(
    private readonly board: QemuBoard,
    private readonly serial: number,
    private readonly ctx: DriverContext,
  ) {}

  get description(): string {
    return `${this.board.description} UART${this.serial} (pty)`;
  }

  async open(): Promise<void> {
    if (this.opened) return;
    checkConsoleUart(this.board, this.serial, this.ctx.part);
    this.opened = true;
    this.unlisten = this.board.listen({
      powering: (board) => this.attach(board.serialPath(this.serial)),
      unpowered: (info) => this.detach(info),
    });
    const path = this.board.serialPath(this.serial);
    if (path) await this.openPort(path);
  }

  async write(data: string | Uint8Array): Promise<void> {
    const port = this.port;
    if (!port?.isOpen)
      throw new RigError(this.ctx.part, 'cannot write to the console: the virtual board is powered off, its UART does not exist');
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error | null | undefined) =>
        err && reject(new RigError(this.ctx.part, `console write failed: ${err.message}`, { cause: err }));
      port.write(data, failed);
      port.drain((err) => (err ? failed(err) : resolve()));
    });
  }

  async close(): Promise<void> {
    this.unlisten?.();
    this.unlisten = undefined;
    this.opened = false;
    await this.closePort(0);
    this.splitter.flush(this.ctx.timeline.now(), true);
  }

  async caughtUp(): Promise<boolean> {
    const written = await this.board.serialWritten(this.serial);
    if (written === undefined || !this.port?.isOpen) return false;
    await this.readUpTo(written - this.missed, COUNTED_DRAIN_MS);
    return this.received >= written - this.missed && !this.splitter.lineOpen;
  }

  subscribe(listener: ConsoleListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async attach(path: string | undefined): Promise<void> {
    if (!path) throw new RigError(this.ctx.part, `QEMU reported no pty for UART${this.serial}`);
    if (!this.port?.isOpen || this.portPath !== path) {
      await this.closePort(0);
      await this.openPort(path);
    } else {
      // The same pty for a new power-on: the board counts this power-on's bytes from zero.
      this.received = 0;
      this.missed = 0;
    }
    if (this.gapAt !== undefined) {
      const t = this.ctx.timeline.now();
      const gapMs = Math.round((t - this.gapAt) * 1000) / 1000;
      this.gapAt = undefined;
      for (const l of [...this.listeners]) l.resume?.({ t, gapMs });
    }
  }

  private async detach(info: Unpowered): Promise<void> {
    const written = info.uartBytes?.get(this.serial);
    if (written === undefined || !this.port?.isOpen) await this.closePort(DRAIN_MS);
    else await this.readUpTo(written - this.missed, COUNTED_DRAIN_MS);
    this.flushPartial();
    this.gapAt = info.t;
    for (const l of [...this.listeners]) l.gap?.(info);
    if (info.rigFault) {
      const error = new RigError(this.ctx.part, info.reason);
      for (const l of [...this.listeners]) l.failed?.({ t: info.t, error });
    }
  }

  private async openPort(path: string): Promise<void> {
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((err) =>
        err
          ? reject(new RigError(this.ctx.part, `cannot open the board's pty ${path}: ${err.message}`, { detail: err.message, cause: err }))
          : resolve(),
      ),
    );
    this.received = 0;
    this.missed = (await this.board.serialWritten(this.serial)) ?? 0;
    port.on('data', (chunk: Buffer) => {
      this.splitter.push(chunk, this.ctx.timeline.now());
      this.received += chunk.length;
      if (this.drained && this.received >= this.drained.bytes) this.drained.done();
    });
    // The pty vanishes with QEMU: the read error and close that follow are the power cut, reported as a gap.
    port.on('error', () => undefined);
    this.port = port;
    this.portPath = path;
  }

  /** Waits up to `ms` until `bytes` have been read from the open pty. */
  private async readUpTo(bytes: number, ms: number): Promise<void> {
    if (this.received >= bytes) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      this.drained = { bytes, done };
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
    this.drained = undefined;
  }

  /** Waits up to `drainMs` for the pty to close by itself (QEMU gone, its last bytes read), then closes it. */
  private async closePort(drainMs: number): Promise<void> {
    const port = this.port;
    this.port = undefined;
    this.portPath = undefined;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => port.close(() => resolve()), drainMs);
      port.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private flushPartial(): void {
    this.splitter.flush(this.ctx.timeline.now());
  }

  private emit(call: (listener: ConsoleListener) => void): void {
    for (const l of [...this.listeners]) call(l);
  }
}

/** Only pty UARTs carry a console: not one past the last, not the GPIO link. */
function checkConsoleUart(board: QemuBoard, serial: number, part: string): void {
  const { serials, gpioSerial } = board.options;
  if (serial >= serials || serial === gpioSerial) {
    throw new RigError(
      part,
      `UART${serial} is not a console: the board has ${serials} UARTs${gpioSerial === null ? '' : `, UART${gpioSerial} carries the GPIO lines`}`,
    );
  }
}

export const qemuConsoleDriver = withCheck(
  defineDriver({
    kind: 'qemu',
    example: '{ kind: qemu, serial: 0 }',
    description: "the virtual board's UART on a pty (resources.qemu); survives power cycles with a gap and a resume",
    schema: z.strictObject({
      kind: z.literal('qemu'),
      serial: z.number().int().nonnegative().default(0).describe("which of the board's UARTs (resources.qemu.serials)"),
    }),
    create: (options, ctx) => new QemuConsole(qemuBoardFor(ctx), options.serial, ctx),
  }),
  // The pty exists only while powered; what can be checked without power is that the UART is one.
  async (options, ctx) => {
    const board = qemuBoardFor(ctx);
    checkConsoleUart(board, options.serial, ctx.part);
    const pty = board.options.powerCycle === 'reset' ? 'a pty kept across power cycles' : 'a new pty per power-on';
    return `UART${options.serial} on ${pty}, linked as ${join(board.stateDir, `serial${options.serial}`)}`;
  },
);
