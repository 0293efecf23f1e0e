import { connect, type Socket } from 'node:net';
import { z } from 'zod';
import { duration } from '../../core/duration.js';
import { RigError } from '../../core/errors.js';
import { withCheck } from '../../protocols/DriverCheck.js';
import type { DriverContext } from '../../protocols/DriverContext.js';
import { defineDriver } from '../../protocols/DriverDefinition.js';
import { ReconnectingConsole, type ConsoleEndpoint, type ConsoleLink, type LinkHandlers } from '../support/ReconnectingConsole.js';

const schema = z.strictObject({
  kind: z.literal('tcp'),
  host: z.string().min(1).default('127.0.0.1').describe("the server's host name or address"),
  port: z.number().int().min(1).max(65535).describe('its TCP port'),
  reopen: duration.default(10_000).describe('How long the server may be unreachable after a drop before it is a rig error.'),
  encoding: z
    .enum(['utf8', 'latin1'])
    .default('utf8')
    .describe('how bytes become text for the patterns; latin1 maps every byte to one character'),
});
type Options = z.infer<typeof schema>;

/** Errors as a user can act on them; Node's own text ("connect ECONNREFUSED 127.0.0.1:3001") goes in the detail. */
function connectErrorMessage(name: string, err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `console ${name}: connection refused (is ser2net running and exporting this port?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `console ${name}: host not found`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `console ${name}: unreachable (${err.code})`;
    default:
      return `console ${name}: ${err.message}`;
  }
}

/**
 * A raw TCP byte stream, as ser2net exports a serial port in `raw` mode (`accepter: tcp,3001`). Telnet-mode
 * exports are not decoded: their option negotiation would show up as bytes in the console.
 */
class TcpEndpoint implements ConsoleEndpoint {
  readonly name: string;

  constructor(
    private readonly part: string,
    private readonly host: string,
    private readonly port: number,
  ) {
    this.name = `${host}:${port}`;
  }

  async connect(handlers: LinkHandlers, timeoutMs: number): Promise<ConsoleLink> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: this.host, port: this.port, timeout: timeoutMs });
      const failed = (err: NodeJS.ErrnoException) => {
        s.destroy();
        reject(new RigError(this.part, connectErrorMessage(this.name, err), { detail: err.message, cause: err }));
      };
      s.once('error', failed);
      s.once('timeout', () => failed(Object.assign(new Error(`no answer within ${timeoutMs}ms`), { code: 'ETIMEDOUT' })));
      s.once('connect', () => {
        s.off('error', failed);
        s.removeAllListeners('timeout');
        s.setTimeout(0);
        resolve(s);
      });
    });
    socket.setNoDelay(true);
    // A peer that vanished without a FIN (rig host rebooted) is eventually noticed instead of never.
    socket.setKeepAlive(true, 2000);
    let over = false;
    let lastError = '';
    socket.on('data', (chunk: Buffer) => handlers.data(chunk));
    socket.on('error', (err) => {
      lastError = err.message;
    });
    socket.on('close', () => {
      if (over) return;
      over = true;
      handlers.closed(lastError || 'connection closed by the server');
    });
    return {
      write: (data) => new Promise<void>((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve()))),
      close: () =>
        new Promise<void>((resolve) => {
          over = true;
          if (socket.destroyed) return resolve();
          socket.once('close', () => resolve());
          socket.destroy();
        }),
    };
  }
}

export function createTcpConsole(options: Options, ctx: DriverContext): ReconnectingConsole {
  return new ReconnectingConsole(
    `tcp ${options.host}:${options.port}`,
    new TcpEndpoint(ctx.part, options.host, options.port),
    { reopenMs: options.reopen, encoding: options.encoding },
    ctx,
  );
}

export const tcpConsoleDriver = withCheck(
  defineDriver({
    kind: 'tcp',
    example: '{ kind: tcp, host: ser2net.lab, port: 3001 }',
    description: 'raw TCP console (ser2net raw export, a board or emulator serving its UART on a port), reconnected when dropped',
    schema,
    create: (options, ctx) => createTcpConsole(options, ctx),
  }),
  async (options, ctx) => {
    const link = await new TcpEndpoint(ctx.part, options.host, options.port).connect(
      { data: () => undefined, closed: () => undefined },
      5000,
    );
    await link.close();
    return `${options.host}:${options.port} accepts connections`;
  },
);
