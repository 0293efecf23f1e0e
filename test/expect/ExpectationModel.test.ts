import { describe, expect, it } from '@jest/globals';
import { SimulatedClock } from 'xstate';
import { CaseFailure, ConfigError } from '../../src/core/errors.js';
import type { RunnerEventType } from '../../src/expect/Expectation.js';
import { FAILURE_LINES } from '../../src/expect/ConsoleInput.js';
import { createExpectation } from '../../src/expect/ExpectationModel.js';
import { expectationSpec } from '../helpers/expectationSpec.js';
import { Timeline, type TimelineEvent } from '../../src/core/Timeline.js';
import { forbidden, patterns, rollbackModel } from '../helpers/rollbackModel.js';

function setup(model: Record<string, unknown> = rollbackModel()) {
  const timeline = new Timeline();
  const recorded: TimelineEvent[] = [];
  timeline.subscribe((e) => recorded.push(e));
  const clock = new SimulatedClock();
  const x = createExpectation(expectationSpec({ patterns, forbidden, model }), { timeline, clock });
  let t = 0;
  const line = (text: string) => x.feedLine({ t: (t += 10), text, raw: Buffer.from(`${text}\r\n`) });
  const send = (type: RunnerEventType, detail?: string) => x.send({ type, t: (t += 10), detail });
  const transitions = () => recorded.filter((e) => e.type === 'model').map((e) => `${e.from ?? '-'} -${e.event}-> ${e.to}`);
  return { x, timeline, recorded, clock, line, send, transitions, now: () => t };
}

/** Drives the flagship model to `copying`: power on, banner, no image, button held, copy starts. */
function toCopying(s: ReturnType<typeof setup>) {
  s.send('POWER_ON');
  s.line('[INF] MCUboot Bootloader Started');
  s.line('[ERR] No valid image in primary slot');
  s.send('BUTTON_DOWN', 'user');
  s.line('[INF] Rollback initiated');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('expectation model: driving states', () => {
  it('starts in the initial state and follows console lines and runner events', () => {
    const s = setup();
    expect(s.x.state()).toBe('off');
    toCopying(s);
    expect(s.x.state()).toBe('bootloader.copying');
    s.line('Factory app v1.0.0 running');
    expect(s.x.state()).toBe('factory-running');
    expect(s.transitions()).toEqual([
      '- -start-> off',
      'off -POWER_ON-> booting',
      'booting -BANNER-> bootloader.checking',
      'bootloader.checking -NO_IMAGE-> bootloader.no-image',
      'bootloader.no-image -BUTTON_DOWN-> bootloader.held',
      'bootloader.held -COPY-> bootloader.copying',
      'bootloader.copying -FACTORY-> factory-running',
    ]);
    expect(s.x.failure()).toBeUndefined();
  });

  it('stamps each transition with the time of the line or event that caused it', () => {
    const s = setup();
    s.send('POWER_ON');
    s.line('MCUboot Bootloader Started');
    const banner = s.recorded.find((e) => e.type === 'model' && e.event === 'BANNER');
    expect(banner?.t).toBe(s.now());
  });

  it('ignores lines no pattern matches and events the current state does not handle', () => {
    const s = setup();
    s.line('MCUboot Bootloader Started'); // board is off as far as the model knows: not handled, ignored
    s.send('POWER_ON');
    s.line('random chatter');
    s.line('Rollback initiated'); // COPY is not handled in booting
    expect(s.x.state()).toBe('booting');
    expect(s.x.failure()).toBeUndefined();
    expect(s.transitions()).toEqual(['- -start-> off', 'off -POWER_ON-> booting']);
  });

  it('takes a transition only when its when: matches the named groups', () => {
    const s = setup();
    s.send('POWER_ON');
    s.line('MCUboot Bootloader Started');
    s.line('No valid image');
    s.send('BUTTON_DOWN', 'boot0'); // another output: not the user button
    expect(s.x.state()).toBe('bootloader.no-image');
    s.send('BUTTON_DOWN', 'user');
    s.line('Copying factory image');
    s.line('Factory app v1.0.1 running'); // second alternative value
    expect(s.x.state()).toBe('factory-running');

    const wrong = setup();
    toCopying(wrong);
    wrong.line('Factory app v2.0.0 running');
    expect(wrong.x.failure()).toMatchObject({ reason: 'wrong-version', state: 'bootloader.copying' });
  });

  it('compares numbers in when: numerically, since YAML has lost their spelling', () => {
    const model = rollbackModel() as any;
    model.states.bootloader.states.copying.on.FACTORY[0].when = { version: 1.0 };
    const s = setup(model);
    toCopying(s);
    s.line('Factory app v1.00 running');
    expect(s.x.state()).toBe('factory-running');
  });

  it('goes to off on POWER_OFF from any state, and a powered-off state keeps no pending timeout', () => {
    for (const drive of [
      (s: ReturnType<typeof setup>) => s.send('POWER_ON'),
      toCopying,
      (s: ReturnType<typeof setup>) => {
        toCopying(s);
        s.line('Factory app v1.0.0 running');
      },
    ]) {
      const s = setup();
      drive(s);
      s.send('POWER_OFF');
      expect(s.x.state()).toBe('off');
      s.clock.increment(60_000);
      expect(s.x.failure()).toBeUndefined();
    }
  });
  it('takes a plain top-level name at the root, and accepts EVENT: ~ without moving', () => {
    const model = rollbackModel() as any;
    model.on = { POWER_OFF: 'off', RESET: null };
    model.strict = true;
    const s = setup(model);
    toCopying(s);
    s.send('RESET');
    expect(s.x.state()).toBe('bootloader.copying');
    s.send('POWER_OFF');
    expect(s.x.state()).toBe('off');
    expect(s.x.coverage().transitions.find((t) => t.event === 'RESET')).toEqual({ from: '*', event: 'RESET', to: '*', count: 1 });
  });
});

describe('expectation model: timeouts and failures', () => {
  it('fails through an after timeout, with the reason, the state before, the expected events and the last lines', () => {
    const s = setup();
    s.send('POWER_ON');
    s.line('ROM boot...');
    s.clock.increment(2999);
    expect(s.x.failure()).toBeUndefined();
    s.clock.increment(1);
    const f = s.x.failure();
    expect(f).toMatchObject({ reason: 'no-banner', state: 'booting', expected: ['BANNER', 'POWER_OFF'], lastLines: ['ROM boot...'] });
    expect(f!.message).toBe('no-banner: after 3s in state booting (expected BANNER, POWER_OFF)');
    expect(s.x.state()).toBe('fail.no-banner');
    expect(s.transitions().at(-1)).toBe('booting -after 3s-> fail.no-banner');
    expect(s.recorded.find((e) => e.type === 'model-failure')).toMatchObject({ reason: 'no-banner', state: 'booting' });
  });

  it('restarts no timer on a plain self-transition but does with reenter: true', () => {
    const model = rollbackModel() as any;
    model.states.booting.on = { BANNER: 'bootloader', NO_IMAGE: 'booting', COPY: { target: 'booting', reenter: true } };
    const plain = setup(model);
    plain.send('POWER_ON');
    plain.clock.increment(2000);
    plain.line('No valid image');
    plain.clock.increment(1000);
    expect(plain.x.failure()?.reason).toBe('no-banner');

    const reentering = setup(model);
    reentering.send('POWER_ON');
    reentering.clock.increment(2000);
    reentering.line('Copying factory');
    reentering.clock.increment(2999);
    expect(reentering.x.failure()).toBeUndefined();
    reentering.clock.increment(1);
    expect(reentering.x.failure()?.reason).toBe('no-banner');
  });

  it('keeps the last 20 console lines, the failing one last', () => {
    const s = setup();
    toCopying(s);
    for (let i = 1; i <= 25; i++) s.line(`copy ${i}`);
    s.line('Factory app v9 running');
    const f = s.x.failure()!;
    expect(f.lastLines).toHaveLength(FAILURE_LINES);
    expect(f.lastLines[0]).toBe('copy 7');
    expect(f.lastLines.at(-1)).toBe('Factory app v9 running');
    expect(f.message).toBe(
      'wrong-version: FACTORY version=9, wanted 1.0.0 or 1.0.1: "Factory app v9 running" in state bootloader.copying (expected FACTORY, POWER_OFF)',
    );
  });

  it('fails on a forbidden line in any state, and keeps that failure for after the last step', () => {
    for (const drive of [() => undefined, (s: ReturnType<typeof setup>) => toCopying(s)]) {
      const s = setup();
      drive(s);
      const before = s.x.state();
      s.line('HardFault at 0x08001234');
      const f = s.x.failure()!;
      expect(f).toMatchObject({ reason: 'forbidden', state: before });
      expect(f.message).toContain('forbidden line matched /HardFault/: "HardFault at 0x08001234"');
      expect(f.lastLines.at(-1)).toBe('HardFault at 0x08001234');
      // Later input changes nothing: the first failure is the one reported.
      s.line('Assertion failed');
      s.send('POWER_OFF');
      expect(s.x.failure()).toBe(f);
      expect(s.x.state()).toBe(before);
    }
  });

  it('fails on a state tagged fail, naming it', () => {
    const model = rollbackModel() as any;
    model.states.booting.on.NO_IMAGE = 'bricked';
    model.states.bricked = { tags: ['fail'] };
    const s = setup(model);
    s.send('POWER_ON');
    s.line('No valid image');
    expect(s.x.failure()).toMatchObject({ reason: 'bricked', state: 'booting' });
    expect(s.x.failure()!.message).toMatch(/^bricked: NO_IMAGE "No valid image" in state booting/);
  });

  it('in a strict state, fails on a classified line it does not handle, but never on a runner event', () => {
    const s = setup();
    toCopying(s);
    s.line('Factory app v1.0.0 running');
    s.send('BUTTON_DOWN', 'user');
    s.send('RESET');
    expect(s.x.failure()).toBeUndefined();
    s.line('random chatter');
    expect(s.x.failure()).toBeUndefined();
    s.line('No valid image');
    expect(s.x.failure()).toMatchObject({ reason: 'unexpected', state: 'factory-running', expected: ['BANNER', 'POWER_OFF'] });
    expect(s.x.failure()!.message).toBe(
      'unexpected NO_IMAGE: "No valid image" in state factory-running (strict; expected BANNER, POWER_OFF)',
    );
  });

  it('names the group values a when: guard wanted and did not get, in a strict state', () => {
    const model = rollbackModel() as any;
    model.states['factory-running'].on.FACTORY = { target: 'factory-running', when: { version: '1.0.0' } };
    const s = setup(model);
    toCopying(s);
    s.line('Factory app v1.0.0 running');
    s.line('Factory app v1.0.0 running');
    expect(s.x.failure()).toBeUndefined();
    s.line('Factory app v1.1.0 running');
    expect(s.x.failure()!.message).toBe(
      'unexpected FACTORY version=1.1.0, wanted 1.0.0: "Factory app v1.1.0 running" in state factory-running (strict; expected BANNER, FACTORY, POWER_OFF)',
    );
  });

  it('applies strict model-wide, and a state may opt out', () => {
    const model = { ...rollbackModel(), strict: true } as any;
    model.states.booting.strict = false;
    const s = setup(model);
    s.send('POWER_ON');
    s.line('Rollback initiated'); // booting opted out
    expect(s.x.failure()).toBeUndefined();
    s.line('MCUboot Bootloader Started');
    s.line('Rollback initiated'); // bootloader.checking inherits strict from the root
    expect(s.x.failure()?.reason).toBe('unexpected');
  });

  it('ends the model in a top-level final state: events are ignored, forbidden lines still fail', async () => {
    const model = rollbackModel() as any;
    model.states['factory-running'] = { id: 'factory-running', type: 'final' };
    const s = setup(model);
    toCopying(s);
    s.line('Factory app v1.0.0 running');
    s.send('POWER_OFF');
    expect(s.x.state()).toBe('factory-running');
    await expect(s.x.waitFor('factory-running', { timeoutMs: 1000 })).resolves.toBeUndefined();
    const err = await rejection(s.x.waitFor('off', { timeoutMs: 1000 }));
    expect(err).toBeInstanceOf(CaseFailure);
    expect((err as Error).message).toBe('the model ended in factory-running, so it will never reach off');
    s.line('Assertion failed: x');
    expect(s.x.failure()?.reason).toBe('forbidden');
  });
});

describe('expectation model: waitFor', () => {
  it('resolves at once when the model is in the state or a descendant of it', async () => {
    const s = setup();
    toCopying(s);
    await expect(s.x.waitFor('bootloader', { timeoutMs: 10 })).resolves.toBeUndefined();
    await expect(s.x.waitFor('copying', { timeoutMs: 10 })).resolves.toBeUndefined();
    await expect(s.x.waitFor('bootloader.copying', { timeoutMs: 10 })).resolves.toBeUndefined();
  });

  it('resolves when the model next enters the state', async () => {
    const s = setup();
    let settled = false;
    const waiting = s.x.waitFor('no-image', { timeoutMs: 5000 }).then(() => (settled = true));
    s.send('POWER_ON');
    s.line('MCUboot Bootloader Started');
    await Promise.resolve();
    expect(settled).toBe(false);
    s.line('No valid image');
    await waiting;
    expect(settled).toBe(true);
  });

  it('resolves on a state passed through: entering it is what counts', async () => {
    const s = setup();
    const waiting = s.x.waitFor('booting', { timeoutMs: 5000 });
    s.send('POWER_ON');
    s.line('MCUboot Bootloader Started');
    await expect(waiting).resolves.toBeUndefined();
  });

  it('recent: a state passed through while the step before ran still counts, once, in order', async () => {
    const s = setup();
    s.send('POWER_ON');
    s.line('MCUboot Bootloader Started');
    s.line('No valid image');
    s.send('BUTTON_DOWN', 'user');
    s.line('[INF] Rollback initiated');
    s.line('Factory app v1.0.0 running');
    // held and copying came and went before anyone waited: both count, in the order they came.
    await expect(s.x.waitFor('held', { timeoutMs: 10, recent: true })).resolves.toBeUndefined();
    await expect(s.x.waitFor('copying', { timeoutMs: 10, recent: true })).resolves.toBeUndefined();
    // Seen once: a second wait for copying waits for a new entry.
    const again = s.x.waitFor('copying', { timeoutMs: 1000, recent: true });
    s.clock.increment(1000);
    await expect(again).rejects.toBeInstanceOf(CaseFailure);
    // Without recent, a state that came and went is waited for anew.
    const plain = setup();
    toCopying(plain);
    plain.line('Factory app v1.0.0 running');
    const waiting = plain.x.waitFor('held', { timeoutMs: 1000 });
    plain.clock.increment(1000);
    await expect(waiting).rejects.toBeInstanceOf(CaseFailure);
  });

  it('recent: an entry from before the last runner event does not count', async () => {
    const s = setup();
    toCopying(s);
    s.line('Factory app v1.0.0 running');
    s.send('POWER_OFF');
    s.send('POWER_ON');
    const waiting = s.x.waitFor('copying', { timeoutMs: 1000, recent: true });
    s.clock.increment(1000);
    await expect(waiting).rejects.toBeInstanceOf(CaseFailure);
    // booting was entered by POWER_ON itself: that one counts.
    await expect(s.x.waitFor('booting', { timeoutMs: 10, recent: true })).resolves.toBeUndefined();
  });

  it('recent: a line that arrived before the runner event but after its time counts (a board answering a send)', async () => {
    const s = setup();
    s.send('POWER_ON');
    const askedAt = s.now();
    s.line('MCUboot Bootloader Started');
    s.line('No valid image');
    s.x.send({ type: 'SENT', t: s.now() + 10, askedAt: askedAt + 1, detail: 'x' });
    await expect(s.x.waitFor('checking', { timeoutMs: 10, recent: true })).resolves.toBeUndefined();
  });

  it('rejects with the model failure when the model fails first', async () => {
    const s = setup();
    const waiting = s.x.waitFor('factory-running', { timeoutMs: 60_000 });
    s.send('POWER_ON');
    s.clock.increment(3000);
    const err = await rejection(waiting);
    expect(err).toBeInstanceOf(CaseFailure);
    expect(err).toMatchObject({ message: s.x.failure()!.message, state: 'booting', expected: ['BANNER', 'POWER_OFF'] });
    // Once failed, a new wait rejects at once with the same failure.
    await expect(s.x.waitFor('off', { timeoutMs: 10 })).rejects.toMatchObject({ message: s.x.failure()!.message });
  });

  it('rejects with a CaseFailure naming the state, the model state and the expected events on timeout', async () => {
    const s = setup();
    s.send('POWER_ON');
    s.line('MCUboot Bootloader Started');
    s.line('No valid image');
    const waiting = s.x.waitFor('factory-running', { timeoutMs: 5000 });
    s.clock.increment(4999);
    s.clock.increment(1);
    const err = await rejection(waiting);
    expect(err).toBeInstanceOf(CaseFailure);
    expect((err as CaseFailure).message).toBe(
      'timed out after 5s waiting for state factory-running; model is in bootloader.no-image, expecting events [BUTTON_DOWN, POWER_OFF]',
    );
    expect((err as CaseFailure).lastLines).toEqual(['MCUboot Bootloader Started', 'No valid image']);
    expect(s.x.failure()).toBeUndefined();
  });

  it('rejects with the signal reason on abort, and at once when already aborted', async () => {
    const s = setup();
    const abort = new AbortController();
    const waiting = s.x.waitFor('copying', { timeoutMs: 60_000, signal: abort.signal });
    const reason = new Error('step cancelled');
    abort.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(s.x.waitFor('off', { timeoutMs: 10, signal: abort.signal })).rejects.toBe(reason);
  });

  it('refuses a state name the model does not have, with a suggestion', async () => {
    const s = setup();
    await expect(s.x.waitFor('copyng', { timeoutMs: 10 })).rejects.toThrow(ConfigError);
    await expect(s.x.waitFor('copyng', { timeoutMs: 10 })).rejects.toThrow(/no state "copyng" to wait for \(did you mean "copying"\?\)/);
    await expect(s.x.waitFor('fail.no-banner', { timeoutMs: 10 })).rejects.toThrow(ConfigError);
    expect(() => s.x.onEnter('copyng', () => undefined)).toThrow(ConfigError);
  });

  it('rejects pending waits when stopped', async () => {
    const s = setup();
    const waiting = s.x.waitFor('copying', { timeoutMs: 60_000 });
    s.x.stop();
    await expect(waiting).rejects.toThrow('the expectation model was stopped');
    s.send('POWER_ON');
    expect(s.x.state()).toBe('off');
  });
});

describe('expectation model: listeners and coverage', () => {
  it('calls onEnter on every entry, across power cycles, with the time of the cause', () => {
    const s = setup();
    const entries: number[] = [];
    const unsubscribe = s.x.onEnter('copying', (t) => entries.push(t));
    toCopying(s);
    const first = s.now();
    s.line('Rollback initiated'); // already copying: no new entry
    s.send('POWER_OFF');
    toCopying(s);
    const second = s.now();
    expect(entries).toEqual([first, second]);
    unsubscribe();
    s.send('POWER_OFF');
    toCopying(s);
    expect(entries).toHaveLength(2);
  });

  it('hands every classified line to onLineEvent, handled or not', () => {
    const s = setup();
    const seen: string[] = [];
    s.x.onLineEvent((e) => seen.push(`${e.type}@${e.t}:${JSON.stringify(e.groups)}`));
    s.line('Factory app v3 running');
    s.line('nothing');
    expect(seen).toEqual(['FACTORY@10:{"version":"3"}']);
  });

  it('survives a listener that throws, and records it', () => {
    const s = setup();
    s.x.onEnter('booting', () => {
      throw new Error('boom');
    });
    s.send('POWER_ON');
    s.line('MCUboot Bootloader Started');
    expect(s.x.state()).toBe('bootloader.checking');
    expect(s.recorded.find((e) => e.type === 'model-listener-error')).toMatchObject({ error: 'boom' });
  });

  it('tells onFailure listeners of the failure once, as it happens, and a late listener at once', () => {
    const s = setup();
    const heard: string[] = [];
    s.x.onFailure((f) => heard.push(`first:${f.reason}`));
    const off = s.x.onFailure((f) => heard.push(`gone:${f.reason}`));
    off();
    s.send('POWER_ON');
    expect(heard).toEqual([]);
    s.line('HardFault at 0x08001234');
    expect(heard).toEqual(['first:forbidden']);
    s.line('Assertion failed');
    expect(heard).toEqual(['first:forbidden']);
    s.x.onFailure((f) => heard.push(`late:${f.state}`));
    expect(heard).toEqual(['first:forbidden', 'late:booting']);
  });

  it('processes input a listener sends from inside a transition after that transition', () => {
    const s = setup();
    s.x.onEnter('no-image', (t) => s.x.send({ type: 'BUTTON_DOWN', t, detail: 'user' }));
    s.send('POWER_ON');
    s.line('MCUboot Bootloader Started');
    s.line('No valid image');
    expect(s.x.state()).toBe('bootloader.held');
  });

  it('counts visited states and every transition of the model', () => {
    const s = setup();
    toCopying(s);
    s.send('POWER_OFF');
    toCopying(s);
    s.line('Factory app v1.0.0 running');
    const c = s.x.coverage();
    expect(c.states).toEqual([
      'off',
      'booting',
      'bootloader',
      'bootloader.checking',
      'bootloader.no-image',
      'bootloader.held',
      'bootloader.copying',
      'factory-running',
    ]);
    expect(c.visited).toEqual(c.states);
    const count = (from: string, event: string, to: string) =>
      c.transitions.find((t) => t.from === from && t.event === event && t.to === to)?.count;
    expect(count('off', 'POWER_ON', 'booting')).toBe(2);
    expect(count('*', 'POWER_OFF', 'off')).toBe(1);
    expect(count('bootloader.copying', 'FACTORY', 'factory-running')).toBe(1);
    expect(count('bootloader.copying', 'FACTORY', 'fail.wrong-version')).toBe(0);
    expect(count('booting', 'after 3s', 'fail.no-banner')).toBe(0);
    expect(c.transitions.filter((t) => t.when !== undefined).map((t) => t.when)).toEqual(['output=user', 'version=1.0.0|1.0.1']);
    expect(c.transitions).toHaveLength(14);
  });

  it('counts an after timeout that fired, and leaves fail states out of the visited list', () => {
    const s = setup();
    s.send('POWER_ON');
    s.clock.increment(3000);
    const c = s.x.coverage();
    expect(c.visited).toEqual(['off', 'booting']);
    expect(c.transitions.find((t) => t.event === 'after 3s')?.count).toBe(1);
  });
});

describe('expectation model: construction', () => {
  it('throws a ConfigError for a model that does not pass the checks', () => {
    const model = rollbackModel() as any;
    model.states.off.on.POWER_ON = 'boting';
    expect(() => createExpectation(expectationSpec({ patterns, forbidden, model }), { timeline: new Timeline() })).toThrow(ConfigError);
    expect(() => createExpectation(expectationSpec({ patterns, forbidden, model }), { timeline: new Timeline() })).toThrow(
      /states\.off\.on\.POWER_ON: target "boting" is not a state/,
    );
  });

  it('checks when: groups against the compiled patterns', () => {
    const model = rollbackModel() as any;
    model.states.bootloader.states.copying.on.FACTORY[0].when = { ver: '1' };
    expect(() => createExpectation(expectationSpec({ patterns, forbidden, model }), { timeline: new Timeline() })).toThrow(
      /FACTORY has no group "ver"/,
    );
  });

  it('uses real timers without a clock', async () => {
    const model = rollbackModel() as any;
    model.states.booting.after = { '30ms': '#fail.no-banner' };
    const x = createExpectation(expectationSpec({ patterns, forbidden, model }), { timeline: new Timeline() });
    x.send({ type: 'POWER_ON', t: 0 });
    await expect(x.waitFor('bootloader', { timeoutMs: 5000 })).rejects.toMatchObject({
      message: expect.stringMatching(/^no-banner: after 30ms in state booting/),
    });
    x.stop();
  });
});

describe('expectation model: throughput', () => {
  it('classifies and models at least 50,000 lines/s, one line in four causing a transition', () => {
    // In factory-running BANNER goes to bootloader.checking and FACTORY comes back: two transitions per
    // eight lines, far more than a real boot log. Best of three rounds after a warm-up: the goal is the
    // code's speed, not the JIT's first pass or a neighbour's load on a shared runner.
    const chatter = [
      '[DBG] flash: erase sector 12 at 0x10040000',
      '[INF] MCUboot Bootloader Started',
      'boot: swap_type=none',
      'blink 12',
      '[INF] Secondary slot: empty',
      'Factory app v1.0.0 running',
      'Commands: reset, upgrade, rollback, version',
      'blink 13',
    ];
    const s = setup();
    toCopying(s);
    s.line('Factory app v1.0.0 running');
    // CPU time of this process, not the wall clock: other jobs on the runner must not count against the model.
    const round = (n: number) => {
      const started = process.cpuUsage();
      for (let i = 0; i < n; i++) s.x.feedLine({ t: i, text: chatter[i % chatter.length]!, raw: Buffer.alloc(0) });
      const { user, system } = process.cpuUsage(started);
      return n / ((user + system) / 1e6);
    };
    round(50_000);
    const best = Math.max(round(100_000), round(100_000), round(100_000));
    expect(s.x.failure()).toBeUndefined();
    expect(s.x.state()).toBe('factory-running');
    expect(best).toBeGreaterThan(50_000);
  });
});

describe('expectation model: within', () => {
  it('places a state path inside a named state, a parent or itself; nowhere else', () => {
    const s = setup();
    toCopying(s);
    expect(s.x.within('bootloader.copying', 'copying')).toBe(true);
    expect(s.x.within('bootloader.copying', 'bootloader')).toBe(true);
    expect(s.x.within('factory-running', 'copying')).toBe(false);
    expect(s.x.within('bootloader.copying-done', 'bootloader.copying')).toBe(false);
    expect(() => s.x.within('off', 'nonesuch')).toThrow(ConfigError);
  });
});
