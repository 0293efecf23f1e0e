import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { SimulatedClock } from 'xstate';
import { parse } from 'yaml';
import type { RunnerEventType } from '../../src/expect/Expectation.js';
import { createExpectation } from '../../src/expect/ExpectationModel.js';
import { checkModel, expectationSpec, stateNames } from '../helpers/expectationSpec.js';
import { Timeline } from '../../src/core/Timeline.js';

/**
 * Recorded consoles of the real virtual-board firmware (see fixtures/README.md) replayed through a model
 * written the way a scenario author would, from the firmware's documented messages, in YAML.
 */
const scenario = parse(`
patterns:
  BANNER: 'MCUboot Bootloader Started'
  NO_IMAGE: 'No valid image found'
  COPY: 'Rollback initiated|Copying factory image (?<percent>\\d+)%'
  APP_START: 'Starting application at'
  FACTORY: 'Factory app v(?<version>\\S+) running'
forbidden: ['HardFault', 'Assertion failed']
model:
  initial: off
  on: { POWER_OFF: .off }
  states:
    off: { on: { POWER_ON: booting } }
    booting: { on: { BANNER: bootloader }, after: { 3s: '#fail.no-banner' } }
    bootloader:
      initial: checking
      strict: true
      states:
        checking: { on: { NO_IMAGE: no-image, APP_START: '#app-starting' }, after: { 2s: '#fail.stuck' } }
        no-image: { on: { BUTTON_DOWN: { target: held, when: { output: user } } } }
        held: { on: { BUTTON_UP: { target: waiting-copy, when: { output: user } } } }
        waiting-copy: { on: { COPY: copying }, after: { 1s: '#fail.no-rollback' } }
        copying: { on: { COPY: {}, APP_START: '#app-starting' }, after: { 10s: '#fail.copy-hung' } }
    app-starting:
      id: app-starting
      on:
        FACTORY:
          - { target: factory-running, when: { version: 1.0.0 } }
          - '#fail.wrong-app'
      after: { 1s: '#fail.app-silent' }
    factory-running: {}
`) as { patterns: Record<string, string>; forbidden: string[]; model: Record<string, unknown> };

const spec = {
  patterns: Object.entries(scenario.patterns).map(([name, source]) => ({ name, regex: new RegExp(source) })),
  forbidden: scenario.forbidden.map((source) => ({ source, regex: new RegExp(source) })),
  model: scenario.model,
};

function replay(file: string) {
  const clock = new SimulatedClock();
  const x = createExpectation(expectationSpec(spec), { timeline: new Timeline(), clock });
  const copyingEntries: number[] = [];
  x.onEnter('copying', (t) => copyingEntries.push(t));
  const states: string[] = [];
  let t = 0;
  for (const text of readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8').split('\n')) {
    if (text === '') continue;
    t += 5;
    clock.increment(5);
    if (text.startsWith('#> ')) {
      const [type, detail] = text.slice(3).split(' ');
      x.send({ type: type as RunnerEventType, t, detail });
    } else {
      x.feedLine({ t, text, raw: Buffer.from(`${text}\r\n`) });
    }
    if (states.at(-1) !== x.state()) states.push(x.state());
  }
  return { x, states, copyingEntries };
}

describe('the rollback model on recorded virtual-board consoles', () => {
  it('passes the load-time checks and names the states steps will use', () => {
    expect(
      checkModel(spec.model, { patternNames: Object.keys(scenario.patterns), patternGroups: { FACTORY: ['version'], COPY: ['percent'] } }),
    ).toEqual([]);
    expect(stateNames(spec.model)).toEqual(expect.arrayContaining(['no-image', 'copying', 'factory-running', 'bootloader.no-image']));
  });

  it('follows the good bootloader through a cut mid-copy and a second rollback', () => {
    const { x, states, copyingEntries } = replay('rollback-powercut-good.txt');
    expect(x.failure()).toBeUndefined();
    expect(states).toEqual([
      'booting',
      'bootloader.checking',
      'bootloader.no-image',
      'bootloader.held',
      'bootloader.waiting-copy',
      'bootloader.copying',
      'off',
      'booting',
      'bootloader.checking',
      'bootloader.no-image',
      'bootloader.held',
      'bootloader.waiting-copy',
      'bootloader.copying',
      'app-starting',
      'factory-running',
    ]);
    expect(copyingEntries).toHaveLength(2);
    const coverage = x.coverage();
    expect(coverage.transitions.find((tr) => tr.from === 'bootloader.copying' && tr.event === 'COPY')?.count).toBe(9); // 0-40% before the cut, 0-100% after
  });

  it('fails the faulty no-validate bootloader, which boots the half-copied app after the cut', () => {
    const { x, states } = replay('rollback-powercut-no-validate.txt');
    expect(states.slice(-2)).toEqual(['bootloader.checking', 'app-starting']);
    const failure = x.failure()!;
    expect(failure.reason).toBe('forbidden');
    expect(failure.state).toBe('app-starting');
    expect(failure.message).toBe(
      'forbidden line matched /HardFault/: "*** HardFault in factory app, halted ***" in state app-starting (expected FACTORY, POWER_OFF)',
    );
    expect(failure.lastLines.slice(-3)).toEqual([
      '[INF] Hold USER button for 5 s to roll back',
      '[INF] Starting application at 0x21010200',
      '*** HardFault in factory app, halted ***',
    ]);
  });
});
