import { existsSync, lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SerialPort } from 'serialport';
import { z } from 'zod';
import { duration } from '../../core/duration.js';
import { RigError } from '../../core/errors.js';
import { withCheck } from '../../protocols/DriverCheck.js';
import type { DriverContext } from '../../protocols/DriverContext.js';
import { defineDriver } from '../../protocols/DriverDefinition.js';
import { ReconnectingConsole, type ConsoleEndpoint, type ConsoleLink, type LinkHandlers } from '../support/ReconnectingConsole.js';

const schema = z.strictObject({
  kind: z.literal('serial'),
  path: z.string().min(1).describe('Prefer a /dev/serial/by-id link: it follows the adapter across re-enumeration, ttyUSBn does not.'),
  baud: z.number().int().positive().default(115200).describe('line speed'),
  reopen: duration
    .default(10_000)
    .describe('How long the device may be gone (power cut, re-enumeration) before it is a rig error; longer than any power-off.'),
  encoding: z
    .enum(['utf8', 'latin1'])
    .default('utf8')
    .describe('how bytes become text for the patterns; latin1 maps every byte to one character'),
});
type Options = z.infer<typeof schema>;

/** What the user needs to fix a path that is not there: a dangling link's target, or what the directory holds. */
function missingPathMessage(path: string): string {
  let message = `console path ${path} does not exist`;
  try {
    if (lstatSync(path).isSymbolicLink()) return `${message} (dangling link to ${readlinkSync(path)})`;
  } catch {
    // Not even a link: look at its directory below.
  }
  const dir = dirname(path);
  try {
    const entries = readdirSync(dir).sort();
    const shown = entries.slice(0, 12).join(', ');
    message += entries.length ? `; ${dir} has: ${shown}${entries.length > 12 ? ', ...' : ''}` : `; ${dir} is empty`;
  } catch {
    message += `; ${dir} does not exist either (is the adapter plugged in?)`;
  }
  return message;
}

/** How often an open device's path is checked for still naming the device held open. */
const WATCH_MS = 50;

/** Which device node a path names now (following links), or undefined when it names none. */
function deviceIdentity(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}:${st.rdev}`;
  } catch {
    return undefined;
  }
}

function openErrorMessage(path: string, err: Error): string {
  const text = err.message;
  if (/permission denied/i.test(text)) return `cannot open ${path}: permission denied (is the user in the dialout group?)`;
  if (/cannot lock port|resource temporarily unavailable/i.test(text))
    return `cannot open ${path}: in use by another program (minicom, screen, another hil?)`;
  if (/no such file/i.test(text)) return missingPathMessage(path);
  return `cannot open ${path}: ${text}`;
}

/** A serial device opened with serialport; each connect is a fresh open, so a re-pointed link is followed. */
class SerialEndpoint implements ConsoleEndpoint {
  constructor(
    private readonly part: string,
    readonly name: string,
    private readonly baudRate: number,
  ) {}

  present(): boolean {
    return existsSync(this.name);
  }

  async connect(handlers: LinkHandlers): Promise<ConsoleLink> {
    if (!this.present()) throw new RigError(this.part, missingPathMessage(this.name));
    const port = new SerialPort({ path: this.name, baudRate: this.baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((err) =>
        err ? reject(new RigError(this.part, openErrorMessage(this.name, err), { detail: err.message, cause: err })) : resolve(),
      ),
    );
    const opened = deviceIdentity(this.name);
    let over = false;
    const end = (reason: string) => {
      if (over) return;
      over = true;
      clearInterval(watchdog);
      handlers.closed(reason);
      if (port.isOpen) port.close(() => undefined);
    };
    // serialport notices a vanished device only if its read is already waiting when it goes: a pty whose other
    // end closed reads as EOF, which it retries forever. So the path is also watched: gone, or now another
    // device (a by-id link re-pointed, a node re-created), means the one held open is dead.
    const watchdog = setInterval(() => {
      const now = deviceIdentity(this.name);
      if (now !== opened) end(now === undefined ? `${this.name} vanished` : `${this.name} now names another device`);
    }, WATCH_MS);
    port.on('data', (chunk: Buffer) => handlers.data(chunk));
    port.on('close', (err?: Error) => end(err ? err.message : 'closed'));
    port.on('error', (err: Error) => end(err.message));
    return {
      write: (data) =>
        new Promise<void>((resolve, reject) => {
          port.write(data, (err) => (err ? reject(err) : port.drain((e) => (e ? reject(e) : resolve()))));
        }),
      close: () =>
        new Promise<void>((resolve) => {
          over = true;
          clearInterval(watchdog);
          if (!port.isOpen) return resolve();
          port.close(() => resolve());
        }),
    };
  }
}

export function createSerialConsole(options: Options, ctx: DriverContext): ReconnectingConsole {
  const path = resolve(ctx.rigDir, options.path);
  return new ReconnectingConsole(
    `serial ${path} @ ${options.baud}`,
    new SerialEndpoint(ctx.part, path, options.baud),
    { reopenMs: options.reopen, encoding: options.encoding },
    ctx,
  );
}

export const serialConsoleDriver = withCheck(
  defineDriver({
    kind: 'serial',
    example: '{ kind: serial, path: /dev/serial/by-id/usb-ARM_DAPLink_CMSIS-DAP_0240000032044e45-if01, baud: 115200 }',
    description: 'serial port (USB-serial adapter, on-board VCP), reopened when it re-enumerates',
    schema,
    create: (options, ctx) => createSerialConsole(options, ctx),
  }),
  // Opening a port proves it exists and is free; nothing is written to the board.
  async (options, ctx) => {
    const path = resolve(ctx.rigDir, options.path);
    const link = await new SerialEndpoint(ctx.part, path, options.baud).connect({ data: () => undefined, closed: () => undefined });
    await link.close();
    return `${path} opens at ${options.baud} baud`;
  },
);
