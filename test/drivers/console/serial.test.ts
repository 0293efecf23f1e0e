import { afterEach, beforeEach, describe, it, expect } from '@jest/globals';
import { mkdtempSync, realpathSync, renameSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { consoleDrivers } from '../../../src/drivers/console/registry.js';
import { createSerialConsole, serialConsoleDriver } from '../../../src/drivers/console/serial.js';
import type { ReconnectingConsole } from '../../../src/drivers/support/ReconnectingConsole.js';
import { RigError } from '../../../src/core/errors.js';
import { processesMentioning } from '../../helpers/processes.js';
import { Collector } from '../../helpers/consoleCollector.js';
import { driverContext } from '../../helpers/driverContext.js';
import { PtyPair } from '../../helpers/ptyPair.js';

let dir: string;
const consoles: ReconnectingConsole[] = [];

function serial(path: string, reopen = 10_000, ctx = driverContext('console')) {
  const console = createSerialConsole(serialConsoleDriver.schema.parse({ kind: 'serial', path, reopen }), ctx);
  consoles.push(console);
  return { console, ctx, seen: new Collector(console) };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-serial-'));
});

afterEach(async () => {
  for (const console of consoles.splice(0)) await console.close();
  await PtyPair.killAll();
  expect(processesMentioning(dir)).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
});

describe('serial console over a real pty', () => {
  it('is registered as kind serial with 115200 baud and a 10s reopen by default', () => {
    expect(consoleDrivers.get('serial')).toBe(serialConsoleDriver);
    expect(serialConsoleDriver.schema.parse({ kind: 'serial', path: '/dev/ttyACM0' })).toEqual({
      kind: 'serial',
      path: '/dev/ttyACM0',
      baud: 115200,
      reopen: 10_000,
      encoding: 'utf8',
    });
    expect(serialConsoleDriver.schema.safeParse({ kind: 'serial', path: '/dev/x', baudrate: 9600 }).success).toBe(false);
  });

  it('reads CRLF and LF lines, timestamped on the case timeline, raw bytes kept', async () => {
    const pair = await PtyPair.start(join(dir, 'board'), join(dir, 'tty'));
    const { console, ctx, seen } = serial(pair.driver);
    await console.open();
    const before = ctx.timeline.now();
    pair.write('MCUboot Bootloader Started\r\nNo valid ');
    pair.write('image\r\nplain\n');
    await seen.until(() => seen.lines.length === 3, 'three lines');
    expect(seen.texts()).toEqual(['MCUboot Bootloader Started', 'No valid image', 'plain']);
    expect(seen.lines.map((l) => l.raw.toString())).toEqual(['MCUboot Bootloader Started\r\n', 'No valid image\r\n', 'plain\n']);
    expect(seen.lines[0]!.t).toBeGreaterThanOrEqual(before);
    expect(seen.lines[2]!.t).toBeGreaterThanOrEqual(seen.lines[0]!.t);
    expect(seen.lines[2]!.t).toBeLessThanOrEqual(ctx.timeline.now());
  });

  it('keeps invalid UTF-8, NUL and 0xFF bytes exactly as the board sent them', async () => {
    const pair = await PtyPair.start(join(dir, 'board'), join(dir, 'tty'));
    const { console, seen } = serial(pair.driver);
    await console.open();
    const garbage = Buffer.from([0x00, 0xff, 0xc3, 0x28, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x7f, 0x0d, 0x0a]);
    pair.write(garbage);
    await seen.until(() => seen.lines.length === 1, 'the garbage line');
    expect(seen.lines[0]!.raw.equals(garbage)).toBe(true);
    expect(seen.lines[0]!.text).toBe('\u0000\ufffd\ufffd(\u001b[31m\u007f');
  });

  it('writes to the board', async () => {
    const pair = await PtyPair.start(join(dir, 'board'), join(dir, 'tty'));
    const { console } = serial(pair.driver);
    await console.open();
    const board = new SerialPort({ path: pair.board, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => board.open((err) => (err ? reject(err) : resolve())));
    let got = Buffer.alloc(0);
    board.on('data', (chunk: Buffer) => (got = Buffer.concat([got, chunk])));
    board.on('error', () => undefined);
    try {
      await console.write('reset\r');
      await console.write(Uint8Array.from([0x03, 0x00, 0xff]));
      const deadline = Date.now() + 3000;
      while (got.length < 9 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      expect([...got]).toEqual([...Buffer.from('reset\r'), 0x03, 0x00, 0xff]);
    } finally {
      await new Promise<void>((resolve) => (board.isOpen ? board.close(() => resolve()) : resolve()));
    }
  });

  it('survives the device re-enumerating on a new pty: gap, resume, and no line written after the reopen is lost', async () => {
    const boardPath = join(dir, 'board');
    const ttyPath = join(dir, 'by-id-link');
    let pair = await PtyPair.start(boardPath, ttyPath);
    const { console, ctx, seen } = serial(ttyPath);
    await console.open();

    // A board printing a numbered line every few ms, through the power cut and re-enumeration.
    let n = 0;
    let writing = true;
    const written: Array<{ n: number; afterResume: boolean }> = [];
    const writer = (async () => {
      while (writing) {
        const afterResume = seen.resumes.length > 0;
        if (pair.write(`line ${n}\r\n`)) written.push({ n, afterResume });
        n++;
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
    })();

    await seen.until(() => seen.lines.length >= 10, 'lines before the cut');
    await pair.kill('SIGKILL');
    await seen.until(() => seen.gaps.length === 1, 'the gap');
    await new Promise((resolve) => setTimeout(resolve, 150));
    const oldPty = pair;
    pair = await PtyPair.start(boardPath, ttyPath);
    expect(pair).not.toBe(oldPty);
    await seen.until(() => seen.resumes.length === 1, 'the resume');
    await seen.until(() => written.filter((w) => w.afterResume).length >= 30, 'lines after the resume');
    writing = false;
    await writer;
    const lastWritten = written.at(-1)!.n;
    await seen.until(() => seen.texts().includes(`line ${lastWritten}`), 'the last line written');

    const received = new Set(seen.texts());
    const lost = written.filter((w) => w.afterResume && !received.has(`line ${w.n}`)).map((w) => w.n);
    expect(lost).toEqual([]);
    expect(seen.order.indexOf('gap')).toBeLessThan(seen.order.indexOf('resume'));
    expect(seen.resumes[0]!.gapMs).toBeGreaterThanOrEqual(150);
    expect(seen.resumes[0]!.gapMs).toBeLessThan(5000);
    const gapEvent = ctx.events.find((e) => e.type === 'console-gap');
    const resumeEvent = ctx.events.find((e) => e.type === 'console-resume');
    expect(gapEvent).toMatchObject({ part: 'console', path: ttyPath });
    expect(resumeEvent).toMatchObject({ part: 'console', path: ttyPath, gapMs: seen.resumes[0]!.gapMs });
    expect(resumeEvent!.t - gapEvent!.t).toBeCloseTo(seen.resumes[0]!.gapMs, 2);
    expect(seen.failures).toEqual([]);
  });

  it('emits the partial line a board printed just before the cut, before the gap', async () => {
    const pair = await PtyPair.start(join(dir, 'board'), join(dir, 'tty'));
    const { console, seen } = serial(pair.driver);
    await console.open();
    pair.write('Copying 4');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await pair.kill('SIGTERM');
    await seen.until(() => seen.gaps.length === 1, 'the gap');
    expect(seen.order).toEqual(['line:Copying 4', 'gap']);
    expect(seen.lines[0]!.raw.toString()).toBe('Copying 4');
  });

  it('flushes a partial last line on close, and close twice is fine', async () => {
    const pair = await PtyPair.start(join(dir, 'board'), join(dir, 'tty'));
    const { console, seen } = serial(pair.driver);
    await console.open();
    pair.write('one\ntwo');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await console.close();
    await console.close();
    expect(seen.texts()).toEqual(['one', 'two']);
    expect(seen.gaps).toEqual([]);
  });

  it('waits out a gap before writing, then delivers the bytes to the device its link now points to', async () => {
    const link = join(dir, 'by-id-link');
    const first = await PtyPair.start(join(dir, 'board1'), join(dir, 'tty1'));
    symlinkSync(realpathSync(first.driver), link);
    const { console, seen } = serial(link);
    await console.open();
    await first.kill('SIGKILL');
    await seen.until(() => seen.gaps.length === 1, 'the gap');
    // As udev does when the adapter goes: a link left naming the dead pty would name whichever pty reuses its number.
    unlinkSync(link);
    let written = false;
    const writing = console.write('after\r').then(() => (written = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(written).toBe(false);
    // The new device is listened to before the link names it, so nothing the console writes can go unread.
    const second = await PtyPair.start(join(dir, 'board2'), join(dir, 'tty2'));
    const board = new SerialPort({ path: second.board, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => board.open((err) => (err ? reject(err) : resolve())));
    let got = '';
    board.on('data', (chunk: Buffer) => (got += chunk.toString()));
    board.on('error', () => undefined);
    symlinkSync(realpathSync(second.driver), `${link}.new`);
    renameSync(`${link}.new`, link);
    try {
      await writing;
      const deadline = Date.now() + 3000;
      while (got !== 'after\r' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(got).toBe('after\r');
    } finally {
      await new Promise<void>((resolve) => (board.isOpen ? board.close(() => resolve()) : resolve()));
    }
  });

  it('fails with a RigError once the device stays gone past the reopen timeout', async () => {
    const pair = await PtyPair.start(join(dir, 'board'), join(dir, 'tty'));
    const { console, ctx, seen } = serial(pair.driver, 300);
    await console.open();
    const began = Date.now();
    await pair.kill('SIGKILL');
    await seen.until(() => seen.failures.length === 1, 'the failure', 3000);
    expect(Date.now() - began).toBeGreaterThanOrEqual(290);
    const error = seen.failures[0]!;
    expect(error).toBeInstanceOf(RigError);
    expect(error.part).toBe('console');
    expect(error.message).toBe(`console ${pair.driver} gone for 300ms`);
    expect(console.failed()).toBe(error);
    await expect(console.write('x')).rejects.toBe(error);
    expect(ctx.events.find((e) => e.type === 'console-failed')).toMatchObject({ part: 'console', message: error.message });
    expect(seen.order).toEqual(['gap', 'failed']);
  });

  it('rejects a write waiting in the gap when the console fails', async () => {
    const pair = await PtyPair.start(join(dir, 'board'), join(dir, 'tty'));
    const { console, seen } = serial(pair.driver, 200);
    await console.open();
    await pair.kill('SIGKILL');
    await seen.until(() => seen.gaps.length === 1, 'the gap');
    await expect(console.write('x')).rejects.toThrow(`console ${pair.driver} gone for 200ms`);
  });

  it('refuses to open a missing path with a RigError naming it and what is there instead', async () => {
    const pair = await PtyPair.start(join(dir, 'board'), join(dir, 'tty'));
    const missing = join(dir, 'usb-STMicroelectronics_STLINK-if02');
    const { console } = serial(missing);
    const err = await console.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RigError);
    expect((err as RigError).part).toBe('console');
    expect((err as RigError).message).toBe(`console path ${missing} does not exist; ${dir} has: board, tty`);
    await pair.kill('SIGKILL');
    const { console: dangling } = serial(pair.driver);
    await expect(dangling.open()).rejects.toThrow(/^console path .*\/tty does not exist \(dangling link to \/dev\/pts\/\d+\)$/);
  });

  it('rig check opens and closes the port without reading or writing', async () => {
    const pair = await PtyPair.start(join(dir, 'board'), join(dir, 'tty'));
    const options = serialConsoleDriver.schema.parse({ kind: 'serial', path: pair.driver, baud: 9600 });
    await expect(serialConsoleDriver.check(options, driverContext('console'))).resolves.toBe(`${pair.driver} opens at 9600 baud`);
    await expect(serialConsoleDriver.check({ ...options, path: join(dir, 'nope') }, driverContext('console'))).rejects.toThrow(
      /does not exist/,
    );
  });
});
