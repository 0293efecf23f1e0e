import { describe, expect, it } from '@jest/globals';
import { SimulatedClock } from 'xstate';
import { createExpectation } from '../../src/expect/ExpectationModel.js';
import { Timeline, type TimelineEvent } from '../../src/core/Timeline.js';
import { expectationSpec } from '../helpers/expectationSpec.js';
import { consoleFeed } from '../helpers/consoleFeed.js';

/** U-Boot as a user's scenario sees it: a countdown that ends its line late, a prompt that never ends one. */
function uboot(barIsPrompt = false) {
  const timeline = new Timeline();
  const clock = new SimulatedClock();
  const events: TimelineEvent[] = [];
  timeline.subscribe((e) => events.push(e));
  const x = createExpectation(
    expectationSpec({
      patterns: [
        { name: 'AUTOBOOT', regex: /Hit any key to stop autoboot/, prompt: true },
        { name: 'PROMPT', regex: /^=> $/, prompt: true },
        { name: 'VERSION', regex: /^U-Boot (?<version>\S+)/ },
        { name: 'BAR', regex: /^\[BOOT\] \[(?<done>\+*) *\]$/, prompt: barIsPrompt },
      ],
      forbidden: [{ source: 'data abort', regex: /data abort/ }],
      model: {
        initial: 'off',
        on: { POWER_OFF: 'off' },
        states: {
          off: { on: { POWER_ON: 'booting' } },
          booting: { on: { VERSION: 'booting', AUTOBOOT: 'autoboot' } },
          autoboot: { on: { PROMPT: 'prompt' } },
          prompt: { on: { PROMPT: { target: 'prompt', reenter: true }, VERSION: 'prompt', BAR: 'prompt' } },
        },
      },
    }),
    { timeline, clock },
  );
  const feed = consoleFeed(x);
  const modelEvents = () => events.flatMap((e) => (e.type === 'model' && e.event !== 'start' ? [`${e.event}@${e.t}`] : []));
  return { x, feed, clock, modelEvents };
}

describe('console segments into the model', () => {
  it('matches a prompt pattern on the open tail once, and not again when its line ends', () => {
    const { x, feed, modelEvents } = uboot();
    x.send({ type: 'POWER_ON', t: 0 });
    feed.push('U-Boot 2023.01+dfsg-2+deb12u1 (Jun 21 2025)\r\n', 1);
    feed.push('Hit any key to stop autoboot:  2', 2);
    expect(x.state()).toBe('autoboot');
    feed.push('\b\b\b 1', 3);
    feed.push('\b\b\b 0 \r\n=', 4);
    feed.push('> ', 5);
    expect(x.state()).toBe('prompt');
    // The echo of what was typed grows the prompt's segment; its end gives no second PROMPT.
    feed.push('v', 6);
    feed.push('ersion\r\n', 7);
    feed.push('U-Boot 2023.01+dfsg-2+deb12u1 (Jun 21 2025)\r\n\r\n=> ', 8);
    expect(modelEvents()).toEqual(['POWER_ON@0', 'VERSION@1', 'AUTOBOOT@2', 'PROMPT@5', 'VERSION@8', 'PROMPT@8']);
    expect(feed.lines.map((l) => l.text)).toEqual([
      'U-Boot 2023.01+dfsg-2+deb12u1 (Jun 21 2025)',
      'Hit any key to stop autoboot:  2\b\b\b 1\b\b\b 0 ',
      '=> version',
      'U-Boot 2023.01+dfsg-2+deb12u1 (Jun 21 2025)',
      '',
    ]);
  });

  it('gives a partial tail to prompt patterns only; other patterns wait for the line to end', () => {
    const { x, feed, modelEvents } = uboot();
    x.send({ type: 'POWER_ON', t: 0 });
    feed.push('U-Boot 2023.01', 1);
    expect(modelEvents()).toEqual(['POWER_ON@0']);
    feed.push(' (Jun 21 2025)\n', 2);
    expect(modelEvents()).toEqual(['POWER_ON@0', 'VERSION@2']);
  });

  it('classifies each \\r redraw of a progress bar when its \\r comes, or as it is drawn when its pattern is a prompt pattern', () => {
    for (const [prompt, bars] of [
      [false, ['BAR@3', 'BAR@3', 'BAR@4', 'BAR@4']],
      [true, ['BAR@2', 'BAR@3', 'BAR@3', 'BAR@4']],
    ] as const) {
      const { x, feed, modelEvents } = uboot(prompt);
      x.send({ type: 'POWER_ON', t: 0 });
      feed.push('Hit any key to stop autoboot:  0 \n=> ', 1);
      feed.push('\r[BOOT] [   ]', 2);
      feed.push('\r[BOOT] [+  ]\r[BOOT] [++ ]', 3);
      feed.push('\r[BOOT] [+++]\r\n', 4);
      expect(modelEvents().filter((e) => e.startsWith('BAR'))).toEqual(bars);
      expect(x.state()).toBe('prompt');
    }
  });

  it('checks forbidden patterns on the whole segment, and shows redraws as a terminal would in a failure', () => {
    const { x, feed } = uboot();
    x.send({ type: 'POWER_ON', t: 0 });
    feed.push('Hit any key to stop autoboot:  0 \n=> ', 1);
    feed.push('\r[BOOT] [+  ]\r[BOOT] [++ ]\r\n=> ', 2);
    feed.push('md 0 1\r\n"Synchronous Abort" handler, esr 0x96000010 data ', 3);
    expect(x.failure()).toBeUndefined();
    feed.push('abort\r\n', 4);
    expect(x.failure()?.message).toMatch(/^forbidden line matched \/data abort\//);
    expect(x.failure()?.lastLines).toEqual([
      'Hit any key to stop autoboot:  0 ',
      '[BOOT] [++ ]',
      '=> md 0 1',
      '"Synchronous Abort" handler, esr 0x96000010 data abort',
    ]);
  });

  it('shows the open prompt last in a failure', async () => {
    const { x, feed, clock } = uboot();
    x.send({ type: 'POWER_ON', t: 0 });
    feed.push('Hit any key to stop autoboot:  0 \n=> ', 1);
    feed.push("nand info\r\nUnknown command 'nand' - try 'help'\r\n=> ", 2);
    const waiting = x.waitFor('off', { timeoutMs: 10 });
    clock.increment(10);
    await expect(waiting).rejects.toMatchObject({
      lastLines: ['Hit any key to stop autoboot:  0 ', '=> nand info', "Unknown command 'nand' - try 'help'", '=> '],
    });
  });
});

describe('waiting for a state anew, and for a prompt', () => {
  /** At the prompt after boot, as `wait: prompt` leaves it. */
  async function atPrompt() {
    const u = uboot();
    u.x.send({ type: 'POWER_ON', t: 0 });
    u.feed.push('Hit any key to stop autoboot:  0 \n=> ', 1);
    await u.x.waitFor('prompt', { timeoutMs: 10, recent: true });
    return u;
  }

  it('wait { in } returns at once in the state; wait { enter } waits for the next entry after the send', async () => {
    const { x, feed, clock } = await atPrompt();
    x.send({ type: 'SENT', t: 2, detail: 'version\r' });
    await expect(x.waitFor('prompt', { timeoutMs: 10, recent: true })).resolves.toBeUndefined();
    let entered = false;
    const fresh = x.waitFor('prompt', { timeoutMs: 1000, recent: true, fresh: true }).then(() => (entered = true));
    await Promise.resolve();
    feed.push('version\r\nU-Boot 2023.01\r\n\r\n', 3);
    await Promise.resolve();
    expect(entered).toBe(false);
    feed.push('=> ', 4);
    await fresh;
    // That entry is used up: the next fresh wait needs another one, and times out without it.
    const again = x.waitFor('prompt', { timeoutMs: 50, recent: true, fresh: true });
    clock.increment(50);
    await expect(again).rejects.toThrow(/timed out after 50ms waiting for state prompt; model is in prompt/);
  });

  it('wait { enter } counts an entry made after the send and before the wait began', async () => {
    const { x, feed } = await atPrompt();
    x.send({ type: 'SENT', t: 2, askedAt: 2, detail: 'version\r' });
    feed.push('version\r\nU-Boot 2023.01\r\n\r\n=> ', 3);
    await expect(x.waitFor('prompt', { timeoutMs: 10, recent: true, fresh: true })).resolves.toBeUndefined();
  });

  it('waitForMatch returns at once for a prompt after the last send, and else waits for the next one', async () => {
    const { x, feed, clock } = await atPrompt();
    await expect(x.waitForMatch('PROMPT', { timeoutMs: 10 })).resolves.toBeUndefined();
    x.send({ type: 'SENT', t: 2, askedAt: 2, detail: 'version\r' });
    let matched = false;
    const next = x.waitForMatch('PROMPT', { timeoutMs: 1000 }).then(() => (matched = true));
    feed.push('version\r\n', 3);
    await Promise.resolve();
    expect(matched).toBe(false);
    feed.push('U-Boot 2023.01\r\n\r\n=> ', 4);
    await next;
    x.send({ type: 'SENT', t: 5, detail: 'reset\r' });
    const never = x.waitForMatch('PROMPT', { timeoutMs: 20 });
    clock.increment(20);
    await expect(never).rejects.toThrow(
      /^timed out after 20ms waiting for PROMPT \(nothing printed matched it since the last SENT\); model is in prompt$/,
    );
  });
});
