import { afterEach, describe, it, expect } from '@jest/globals';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { consoleDrivers } from '../../../src/drivers/console/registry.js';
import type { ReconnectingConsole } from '../../../src/drivers/support/ReconnectingConsole.js';
import { createTcpConsole, tcpConsoleDriver } from '../../../src/drivers/console/tcp.js';
import { RigError } from '../../../src/core/errors.js';
import { Collector } from '../../helpers/consoleCollector.js';
import { driverContext } from '../../helpers/driverContext.js';
import { until } from '../../helpers/until.js';

/** A ser2net stand-in: a raw TCP server on 127.0.0.1 that keeps its connected clients and what they sent. */
class FakeSer2net {
  readonly clients: Socket[] = [];
  received = '';
  private constructor(
    private server: Server,
    readonly port: number,
  ) {}

  static async listen(port = 0): Promise<FakeSer2net> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const fake = new FakeSer2net(server, (server.address() as AddressInfo).port);
    server.on('connection', (socket) => {
      fake.clients.push(socket);
      socket.on('data', (chunk) => (fake.received += chunk.toString('latin1')));
      socket.on('error', () => undefined);
    });
    return fake;
  }

  latest(): Socket {
    return this.clients.at(-1)!;
  }

  /** Stops listening and drops every client, as a ser2net that exits. */
  async stop(): Promise<void> {
    for (const client of this.clients) client.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const servers: FakeSer2net[] = [];
const consoles: ReconnectingConsole[] = [];

async function server(port?: number): Promise<FakeSer2net> {
  const s = await FakeSer2net.listen(port);
  servers.push(s);
  return s;
}

function tcp(port: number, reopen = 10_000, ctx = driverContext('console')) {
  const console = createTcpConsole(tcpConsoleDriver.schema.parse({ kind: 'tcp', port, reopen }), ctx);
  consoles.push(console);
  return { console, ctx, seen: new Collector(console) };
}

afterEach(async () => {
  for (const console of consoles.splice(0)) await console.close();
  for (const s of servers.splice(0)) await s.stop();
});

describe('tcp console', () => {
  it('is registered as kind tcp, host defaulting to 127.0.0.1', () => {
    expect(consoleDrivers.get('tcp')).toBe(tcpConsoleDriver);
    expect(tcpConsoleDriver.schema.parse({ kind: 'tcp', port: 3001 })).toMatchObject({ host: '127.0.0.1', port: 3001, reopen: 10_000 });
    expect(tcpConsoleDriver.schema.safeParse({ kind: 'tcp', port: 70000 }).success).toBe(false);
  });

  it('reads lines split anywhere, raw bytes kept, and writes to the server', async () => {
    const ser2net = await server();
    const { console, seen } = tcp(ser2net.port);
    await console.open();
    await until('the connection', () => ser2net.clients.length === 1);
    ser2net.latest().write('Factory app v1.');
    ser2net.latest().write(Buffer.from([0x32, 0x20, 0x72, 0x75, 0x6e, 0x6e, 0x69, 0x6e, 0x67, 0x0d, 0x0a, 0x00, 0xff, 0x0a]));
    await seen.until(() => seen.lines.length === 2, 'two lines');
    expect(seen.texts()).toEqual(['Factory app v1.2 running', '\u0000\ufffd']);
    expect([...seen.lines[1]!.raw]).toEqual([0x00, 0xff, 0x0a]);
    await console.write('reset\r');
    await until('the write', () => ser2net.received === 'reset\r');
  });

  it('reconnects when the server drops the connection: gap, resume, and lines after it arrive', async () => {
    const ser2net = await server();
    const { console, ctx, seen } = tcp(ser2net.port);
    await console.open();
    await until('the connection', () => ser2net.clients.length === 1);
    ser2net.latest().write('before\npartial');
    await seen.until(() => seen.lines.length === 1, 'the first line');
    ser2net.latest().destroy();
    await seen.until(() => seen.resumes.length === 1, 'the resume');
    await until('the second connection', () => ser2net.clients.length === 2);
    ser2net.latest().write('after\r\n');
    await seen.until(() => seen.texts().includes('after'), 'the line after the resume');
    expect(seen.order).toEqual(['line:before', 'line:partial', 'gap', 'resume', 'line:after']);
    expect(ctx.events.map((e) => e.type)).toEqual(['console-gap', 'console-resume']);
    expect(ctx.events[1]).toMatchObject({ part: 'console', path: `127.0.0.1:${ser2net.port}`, gapMs: seen.resumes[0]!.gapMs });
  });

  it('comes back when the server restarts on the same port within the reopen time', async () => {
    const first = await server();
    const { console, seen } = tcp(first.port);
    await console.open();
    await first.stop();
    servers.splice(servers.indexOf(first), 1);
    await seen.until(() => seen.gaps.length === 1, 'the gap');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await server(first.port);
    await seen.until(() => seen.resumes.length === 1, 'the resume');
    expect(seen.resumes[0]!.gapMs).toBeGreaterThanOrEqual(200);
    await until('the connection', () => second.clients.length === 1);
    second.latest().write('back\n');
    await seen.until(() => seen.texts().includes('back'), 'a line from the new server');
  });

  it('fails with a RigError when the server stays away past the reopen timeout', async () => {
    const ser2net = await server();
    const { console, seen } = tcp(ser2net.port, 300);
    await console.open();
    await ser2net.stop();
    servers.splice(servers.indexOf(ser2net), 1);
    await seen.until(() => seen.failures.length === 1, 'the failure');
    expect(seen.failures[0]!.message).toBe(`console 127.0.0.1:${ser2net.port} gone for 300ms`);
    expect(seen.failures[0]!.detail).toMatch(/connection refused/);
    await expect(console.write('x')).rejects.toBe(seen.failures[0]);
  });

  it('refuses to open when nothing listens, naming the address', async () => {
    const ser2net = await server();
    const port = ser2net.port;
    await ser2net.stop();
    servers.splice(servers.indexOf(ser2net), 1);
    const { console } = tcp(port);
    const err = await console.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RigError);
    expect((err as RigError).message).toBe(`console 127.0.0.1:${port}: connection refused (is ser2net running and exporting this port?)`);
    expect((err as RigError).detail).toContain('ECONNREFUSED');
  });

  it('rig check connects and disconnects', async () => {
    const ser2net = await server();
    const options = tcpConsoleDriver.schema.parse({ kind: 'tcp', port: ser2net.port });
    await expect(tcpConsoleDriver.check(options, driverContext('console'))).resolves.toBe(`127.0.0.1:${ser2net.port} accepts connections`);
  });
});
