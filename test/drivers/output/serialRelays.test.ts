import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SerialPort } from 'serialport';
import { RigError } from '../../../src/core/errors.js';
import { lcusDriver, lcusFrame } from '../../../src/drivers/output/lcus.js';
import { numatoChannel, numatoDriver } from '../../../src/drivers/output/numato.js';
import { Timeline } from '../../../src/core/Timeline.js';
import type { DriverContext } from '../../../src/protocols/DriverContext.js';
import { PtyPair } from '../../helpers/ptyPair.js';

const ctx: DriverContext = {
  rigName: 'test',
  rigDir: '/tmp',
  stateRoot: '/tmp/hil-state-unused',
  part: 'outputs.button',
  timeline: new Timeline(),
  resources: {},
  log: () => undefined,
  shared: (_key, create) => create(),
};

let pty: PtyPair;
let board: SerialPort;

async function openBoard(): Promise<SerialPort> {
  const port = new SerialPort({ path: pty.board, baudRate: 19200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  return port;
}

beforeEach(async () => {
  pty = await PtyPair.inTempDir();
  board = await openBoard();
});
afterEach(async () => {
  if (board.isOpen) await new Promise((r) => board.close(r));
  await pty.close();
});

/** A Numato board as its manual describes it: echo, answer, `>` prompt. `stuck` relays ignore commands. */
function fakeNumato(port: SerialPort, stuck = new Set<string>()) {
  const relays = new Map<string, boolean>();
  const log: string[] = [];
  let line = '';
  port.on('data', (chunk: Buffer) => {
    for (const ch of chunk.toString('latin1')) {
      if (ch !== '\r') {
        line += ch;
        continue;
      }
      const cmd = line.trim();
      line = '';
      log.push(cmd);
      let answer = '';
      const m = /^relay (on|off|read) (\w)$/.exec(cmd);
      if (m && m[1] === 'read') answer = relays.get(m[2]!) ? 'on' : 'off';
      else if (m && !stuck.has(m[2]!)) relays.set(m[2]!, m[1] === 'on');
      else if (cmd === 'ver') answer = '00000008';
      port.write(`${cmd}\n\r${answer ? `${answer}\n\r` : ''}>`);
    }
  });
  return { relays, log };
}

describe('numato', () => {
  it('numbers channels 0-9 then A-V', () => {
    expect([0, 9, 10, 31].map(numatoChannel)).toEqual(['0', '9', 'A', 'V']);
  });

  it('switches a relay and reads it back, honouring active-low wiring', async () => {
    const dev = fakeNumato(board);
    const out = numatoDriver.create(numatoDriver.schema.parse({ kind: 'numato', path: pty.driver, channel: 12, active: 'low' }), ctx);
    await out.set(true);
    expect(dev.relays.get('C')).toBe(false);
    expect(out.level()).toBe(true);
    await out.set(false);
    expect(dev.relays.get('C')).toBe(true);
    expect(dev.log).toEqual(['relay off C', 'relay read C', 'relay on C', 'relay read C']);
    await out.close();
  });

  it('waits the settle time after an edge', async () => {
    fakeNumato(board);
    const out = numatoDriver.create(numatoDriver.schema.parse({ kind: 'numato', path: pty.driver, channel: 1, settle: '150ms' }), ctx);
    const t0 = performance.now();
    await out.set(true);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
    await out.close();
  });

  it('fails when the relay does not read back what was set', async () => {
    fakeNumato(board, new Set(['2']));
    const out = numatoDriver.create(numatoDriver.schema.parse({ kind: 'numato', path: pty.driver, channel: 2 }), ctx);
    const err = await out.set(true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RigError);
    expect((err as RigError).part).toBe('outputs.button');
    expect((err as RigError).message).toBe(`numato ${pty.driver}: relay 2 reads "off" after "relay on 2"`);
    await out.close();
  });

  it('fails with a RigError when the board stays silent', async () => {
    const out = numatoDriver.create(numatoDriver.schema.parse({ kind: 'numato', path: pty.driver, channel: 0, timeout: '200ms' }), ctx);
    await expect(out.set(true)).rejects.toThrow(`${pty.driver}: no answer to "relay on 0" within 200ms`);
    await out.close();
  });

  it('fails with a RigError naming the path when the port does not exist', async () => {
    const out = numatoDriver.create(
      numatoDriver.schema.parse({ kind: 'numato', path: '/dev/serial/by-id/no-such-numato', channel: 0 }),
      ctx,
    );
    const err = await out.set(true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RigError);
    expect((err as RigError).message).toMatch(/^cannot open \/dev\/serial\/by-id\/no-such-numato: .*No such file or directory/);
  });

  it('two outputs on one board share its port and never interleave their exchanges', async () => {
    const dev = fakeNumato(board);
    const links = new Map<string, unknown>();
    const sharing: DriverContext = {
      ...ctx,
      shared: <T>(key: string, create: () => T) => (links.has(key) ? links.get(key) : links.set(key, create()).get(key)) as T,
    };
    const boot0 = numatoDriver.create(numatoDriver.schema.parse({ kind: 'numato', path: pty.driver, channel: 4 }), {
      ...sharing,
      part: 'outputs.boot0',
    });
    const boot2 = numatoDriver.create(numatoDriver.schema.parse({ kind: 'numato', path: pty.driver, channel: 5 }), {
      ...sharing,
      part: 'outputs.boot2',
    });
    await Promise.all([boot0.set(true), boot2.set(true)]);
    expect(dev.relays.get('4')).toBe(true);
    expect(dev.relays.get('5')).toBe(true);
    expect(dev.log).toEqual(['relay on 4', 'relay read 4', 'relay on 5', 'relay read 5']);
    await boot0.close();
    await boot2.close();
  });

  it('rig check asks for the version without moving a relay', async () => {
    const dev = fakeNumato(board);
    const opts = numatoDriver.schema.parse({ kind: 'numato', path: pty.driver, channel: 0 });
    await expect(numatoDriver.check(opts, ctx)).resolves.toBe(`numato on ${pty.driver} answers (version 00000008)`);
    expect(dev.log).toEqual(['ver']);
  });
});

describe('lcus', () => {
  it('builds A0 ch state sum frames', () => {
    expect([...lcusFrame(1, true)]).toEqual([0xa0, 0x01, 0x01, 0xa2]);
    expect([...lcusFrame(1, false)]).toEqual([0xa0, 0x01, 0x00, 0xa1]);
    expect([...lcusFrame(4, true)]).toEqual([0xa0, 0x04, 0x01, 0xa5]);
  });

  it('sends one frame per edge on the wire', async () => {
    const bytes: number[] = [];
    board.on('data', (chunk: Buffer) => bytes.push(...chunk));
    const out = lcusDriver.create(lcusDriver.schema.parse({ kind: 'lcus', path: pty.driver, channel: 2 }), ctx);
    await out.set(true);
    await out.set(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(bytes).toEqual([0xa0, 2, 1, 0xa3, 0xa0, 2, 0, 0xa2]);
    await out.close();
  });
});
