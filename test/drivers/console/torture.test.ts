import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedClock } from 'xstate';
import { loadScenario } from '../../../src/scenario/Scenario.js';
import type { ConsoleLine } from '../../../src/protocols/Console.js';
import { MAX_LINE_BYTES } from '../../../src/drivers/support/LineSplitter.js';
import type { ReconnectingConsole } from '../../../src/drivers/support/ReconnectingConsole.js';
import { createSerialConsole, serialConsoleDriver } from '../../../src/drivers/console/serial.js';
import { createExpectation } from '../../../src/expect/ExpectationModel.js';
import type { Expectation } from '../../../src/expect/Expectation.js';
import { Timeline } from '../../../src/core/Timeline.js';
import { processesMentioning } from '../../helpers/processes.js';
import { driverContext } from '../../helpers/driverContext.js';
import { PtyPair } from '../../helpers/ptyPair.js';
import { until } from '../../helpers/until.js';

/**
 * The serial console on a real pty (socat) under abuse: megabytes of random bytes, a megabyte with no newline,
 * a flood of short lines as fast as the pty moves them. Every line reaches the rollback-powerfail scenario's
 * classifier and model, none is dropped (counted against the bytes written), memory growth stays bounded, and
 * no file descriptor or process is left behind.
 */
let dir: string;
let pair: PtyPair;
let console: ReconnectingConsole;
let fdsBefore: string[];
const RSS_GROWTH_BOUND = 100 * 1024 * 1024;

const fds = () => readdirSync('/proc/self/fd').sort();

beforeEach(async () => {
  fdsBefore = fds();
  dir = mkdtempSync(join(tmpdir(), 'hil-torture-'));
  pair = await PtyPair.start(join(dir, 'board'), join(dir, 'tty'));
});

afterEach(async () => {
  await console?.close();
  await PtyPair.killAll();
  expect(processesMentioning(dir)).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
  // A leak is a descriptor opened during the test and still open; others may close meanwhile (jest's own).
  // Those of a closed port and of socat's pipes are released asynchronously: allow a loaded machine time.
  const opened = () => fds().filter((fd) => !fdsBefore.includes(fd));
  for (let i = 0; i < 100 && opened().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  expect(opened()).toEqual([]);
});

/** Opens the console with every line counted and fed into the scenario's model, keeping nothing else. */
async function consoleIntoModel() {
  const scenario = loadScenario('scenarios/rollback-powerfail.yaml');
  const model: Expectation = createExpectation(scenario.expect, { timeline: new Timeline(), clock: new SimulatedClock() });
  const seen = { lines: 0, bytes: 0, truncated: 0, last: undefined as ConsoleLine | undefined };
  console = createSerialConsole(serialConsoleDriver.schema.parse({ kind: 'serial', path: pair.driver }), driverContext('console'));
  console.subscribe({
    line: (line) => {
      seen.lines++;
      seen.bytes += line.raw.length;
      if (line.truncated) seen.truncated++;
      seen.last = line;
      model.feedLine(line);
    },
  });
  await console.open();
  return { model, seen };
}

/** Writes a file into the board end with a real `cat`, as a board would: in another process, so the pty can push back. */
async function boardPrints(data: Buffer): Promise<void> {
  const file = join(dir, 'data.bin');
  writeFileSync(file, data);
  await execa('sh', ['-c', 'cat "$1" > "$2"', 'sh', file, pair.board], { timeout: 60_000 });
}

/** Lines the splitter must emit for `data`: one per newline, plus one per 64 KiB cut of a longer line, plus the tail. */
function expectedLines(data: Buffer): number {
  let count = 0;
  let start = 0;
  for (;;) {
    const nl = data.indexOf(0x0a, start);
    const length = (nl === -1 ? data.length : nl) - start;
    if (nl === -1) return count + Math.ceil(length / MAX_LINE_BYTES);
    count += Math.floor(length / MAX_LINE_BYTES) + 1;
    start = nl + 1;
  }
}

/** xorshift32: the same "random" 5 MB on every run, so a failure can be replayed. */
function randomBytes(n: number, seed = 0x2545f491): Buffer {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('serial console torture', () => {
  it('5 MB of random bytes: every byte and every line arrives, the model keeps up, memory stays bounded', async () => {
    const { model, seen } = await consoleIntoModel();
    model.send({ type: 'POWER_ON', t: 0 });
    const data = randomBytes(5 * 1024 * 1024);
    const rss = process.memoryUsage().rss;
    await boardPrints(data);
    await until('the last complete line', () => seen.bytes >= data.length - (data.length - data.lastIndexOf(0x0a) - 1), 30_000);
    await console.close(); // flushes the tail after the last newline
    expect(seen.bytes).toBe(data.length);
    expect(seen.lines).toBe(expectedLines(data));
    expect(model.failure()).toBeUndefined();
    expect(process.memoryUsage().rss - rss).toBeLessThan(RSS_GROWTH_BOUND);
  });

  it('a 1 MB line with no newline: cut into 64 KiB pieces, nothing lost, memory bounded', async () => {
    const { model, seen } = await consoleIntoModel();
    const data = Buffer.alloc(1024 * 1024, 'A');
    const rss = process.memoryUsage().rss;
    await boardPrints(data);
    // 15 pieces are cut while it streams; the last 64 KiB waits for a newline and comes out when the console closes.
    await until(`15 pieces (saw ${seen.lines} lines, ${seen.bytes} bytes)`, () => seen.lines >= 15, 10_000);
    await new Promise((r) => setTimeout(r, 500)); // the last piece's bytes are still crossing the pty
    await console.close();
    expect(seen.lines).toBe(expectedLines(data));
    expect(seen.lines).toBe(16);
    expect(seen.truncated).toBe(15);
    expect(seen.bytes).toBe(data.length);
    expect(model.failure()).toBeUndefined();
    expect(process.memoryUsage().rss - rss).toBeLessThan(RSS_GROWTH_BOUND);
  });

  it('a burst of 200,000 short lines as fast as the pty carries them: none dropped, in order, each a model event', async () => {
    const { model, seen } = await consoleIntoModel();
    const n = 200_000;
    const boot = ['MCUboot Bootloader Started', 'Primary slot: invalid (empty)', 'No valid image found', 'Rollback initiated'];
    const lines = [...boot, ...Array.from({ length: n }, (_, i) => `[INF] Copying factory image ${i}%`)];
    const order: number[] = [];
    console.subscribe({ line: (l) => order.push(Number(/image (\d+)%/.exec(l.text)?.[1] ?? -1)) });
    model.send({ type: 'POWER_ON', t: 0 });
    const t0 = performance.now();
    await boardPrints(Buffer.from(lines.map((l) => `${l}\r\n`).join('')));
    await until(`${lines.length} lines`, () => seen.lines >= lines.length, 30_000);
    const seconds = (performance.now() - t0) / 1000;
    expect(seen.lines).toBe(lines.length);
    expect(order.slice(boot.length)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(model.failure()).toBeUndefined();
    expect(model.state()).toBe('copying');
    expect(model.coverage().transitions.find((t) => t.from === 'copying' && t.event === 'COPYING' && t.to === 'copying')?.count).toBe(
      n - 1,
    );
    expect(n / seconds).toBeGreaterThan(5_000); // lines per second through pty, splitter, classifier and model
  });
});
