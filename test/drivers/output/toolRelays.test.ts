import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RigError } from '../../../src/core/errors.js';
import type { DriverContext } from '../../../src/protocols/DriverContext.js';
import { pduDaemonDriver, pduDaemonUrl } from '../../../src/drivers/power/pdudaemon.js';
import { gpiodDriver, gpiosetArgs, parseGpiodVersion } from '../../../src/drivers/output/gpiod.js';
import { uhubctlDriver, uhubctlPortPowered } from '../../../src/drivers/output/uhubctl.js';
import { parseUsbrelayList, usbrelayDriver } from '../../../src/drivers/output/usbrelay.js';
import { Timeline, type TimelineEvent } from '../../../src/core/Timeline.js';

function context(part = 'power'): DriverContext & { events: TimelineEvent[] } {
  const timeline = new Timeline();
  const events: TimelineEvent[] = [];
  timeline.subscribe((e) => events.push(e));
  const shared = new Map<string, unknown>();
  return {
    rigName: 'test',
    rigDir: '/tmp',
    stateRoot: '/tmp/hil-state-unused',
    part,
    timeline,
    resources: {},
    log: () => undefined,
    shared: <T>(key: string, create: () => T) => (shared.has(key) ? shared.get(key) : shared.set(key, create()).get(key)) as T,
    events,
  };
}

async function rigError(p: Promise<unknown>): Promise<RigError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RigError);
  return err as RigError;
}

/** Nothing of this host's own hardware is touched: these tests expect "no device" from every tool. */
const gpioChips = execFileSync('sh', ['-c', 'ls /dev/gpiochip* 2>/dev/null || true']).toString().trim();

describe('usbrelay (real tool, no board attached)', () => {
  it('parses the relay listing', () => {
    expect([...parseUsbrelayList('HURTM_1=0\nHURTM_2=1\n')]).toEqual([
      ['HURTM_1', false],
      ['HURTM_2', true],
    ]);
  });

  it('turns "no such relay" into a RigError carrying usbrelay\'s own "Found 0 devices"', async () => {
    const ctx = context('power');
    const out = usbrelayDriver.create(usbrelayDriver.schema.parse({ kind: 'usbrelay', relay: 'HURTM_1' }), ctx);
    const err = await rigError(out.set(true));
    expect(err.part).toBe('power');
    expect(err.message).toBe('usbrelay: relay HURTM_1 not found: usbrelay says "Found 0 devices"');
    expect(err.detail).toContain('enumerate_relay_boards()Found 0 devices');
    expect(ctx.events.filter((e) => e.type === 'proc' && e.phase === 'start').map((e) => e.args)).toEqual([['HURTM_1=1'], ['-d']]);
  });

  it('rig check fails the same way', async () => {
    const err = await rigError(usbrelayDriver.check(usbrelayDriver.schema.parse({ kind: 'usbrelay', relay: 'HURTM_1' }), context()));
    expect(err.message).toContain('Found 0 devices');
  });
});

describe('uhubctl (real tool, no hub)', () => {
  it('reads the port state from the last status uhubctl printed', () => {
    const transcript = readFileSync('test/fixtures/transcripts/uhubctl-off.txt', 'utf8');
    expect(uhubctlPortPowered(transcript, 2)).toBe(false);
    expect(uhubctlPortPowered(transcript.split('Sent')[0]!, 2)).toBe(true);
    expect(uhubctlPortPowered(transcript, 7)).toBeUndefined();
  });

  it("turns uhubctl's exit 1 into a RigError with its own message", async () => {
    const out = uhubctlDriver.create(uhubctlDriver.schema.parse({ kind: 'uhubctl', hub: '1-1', port: 2 }), context());
    const err = await rigError(out.set(false));
    expect(err.message).toBe('uhubctl -l 1-1 -p 2: No compatible devices detected at location 1-1!');
    expect(err.detail).toContain('Run with -h');
  });
});

describe('gpiod (real tool)', () => {
  it('tells libgpiod v1 from v2 and builds holding command lines', () => {
    expect(parseGpiodVersion('gpioset (libgpiod) v1.6.3')).toBe(1);
    expect(parseGpiodVersion('gpioset (libgpiod) v2.1')).toBe(2);
    expect(gpiosetArgs(1, 'gpiochip0', 17, true)).toEqual(['--mode=signal', 'gpiochip0', '17=1']);
    expect(gpiosetArgs(2, 'gpiochip0', 'GPIO17', false)).toEqual(['-i', '--consumer=hil', '-c', 'gpiochip0', 'GPIO17=0']);
  });

  (gpioChips ? it.skip : it)('turns gpioset failing on a missing chip into a RigError with its own message', async () => {
    const ctx = context('outputs.boot');
    const out = gpiodDriver.create(gpiodDriver.schema.parse({ kind: 'gpiod', chip: 'gpiochip0', line: 17 }), ctx);
    const err = await rigError(out.set(true));
    expect(err.part).toBe('outputs.boot');
    expect(err.message).toMatch(/^cannot drive gpiochip0 line 17 high: gpioset: .*No such file or directory/);
    await out.close();
    const starts = ctx.events.flatMap((e) => (e.type === 'proc' && e.phase === 'start' && e.cmd === 'gpioset' ? [e] : []));
    expect(starts.at(-1)?.args).toEqual(['--mode=signal', 'gpiochip0', '17=1']);
  });

  (gpioChips ? it.skip : it)("rig check reports gpioinfo's own words", async () => {
    const err = await rigError(gpiodDriver.check(gpiodDriver.schema.parse({ kind: 'gpiod', line: 17 }), context()));
    expect(err.message).toContain('gpiochip0: No such file or directory');
  });
});

describe('pdudaemon (HTTP peer)', () => {
  let server: Server;
  let port: number;
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url!);
      if (req.url!.includes('hostname=broken')) {
        res.writeHead(503).end('PDU broken not responding');
        return;
      }
      res.writeHead(200).end('OK');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('builds the control URL', () => {
    expect(pduDaemonUrl({ host: 'pdu.lab', port: 16421, pdu: 'apc 1', outlet: 3 }, 'on')).toBe(
      'http://pdu.lab:16421/power/control/on?hostname=apc+1&port=3',
    );
  });

  it('switches an outlet on and off', async () => {
    const power = pduDaemonDriver.create(pduDaemonDriver.schema.parse({ kind: 'pdudaemon', port, pdu: 'apc', outlet: 4 }), context());
    await power.on();
    expect(power.state()).toBe('on');
    await power.off();
    expect(requests.slice(-2)).toEqual(['/power/control/on?hostname=apc&port=4', '/power/control/off?hostname=apc&port=4']);
  });

  it("reports a refusal with the HTTP status and the daemon's text", async () => {
    const power = pduDaemonDriver.create(pduDaemonDriver.schema.parse({ kind: 'pdudaemon', port, pdu: 'broken', outlet: 1 }), context());
    const err = await rigError(power.on());
    expect(err.message).toBe('pdudaemon refused on for broken outlet 1: HTTP 503 PDU broken not responding');
  });

  it('reports an unreachable daemon', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const opts = pduDaemonDriver.schema.parse({ kind: 'pdudaemon', port: deadPort, pdu: 'apc', outlet: 1 });
    const err = await rigError(pduDaemonDriver.create(opts, context()).on());
    expect(err.message).toBe(`pdudaemon at 127.0.0.1:${deadPort} unreachable: connect ECONNREFUSED 127.0.0.1:${deadPort}`);
    await expect(pduDaemonDriver.check(opts, context())).rejects.toThrow('ECONNREFUSED');
    await expect(pduDaemonDriver.check({ ...opts, port }, context())).resolves.toMatch(
      /^pdudaemon answers at 127\.0\.0\.1:\d+ \(HTTP 200\)$/,
    );
  });
});
