import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { RunView } from '../../src/cli/progress/RunView.js';
import { RunTracker } from '../../src/cli/progress/RunTracker.js';
import { fit } from '../../src/cli/progress/LiveBlock.js';
import type { CaseSpec } from '../../src/scenario/cases.js';
import { caseResult } from '../helpers/results.js';

/** The view's logic on a clock the test moves: the heartbeat of a CI log, the ETA, lines cut to the terminal. */
const spec = (id: string): CaseSpec => ({ id, params: {} }) as CaseSpec;

function pipe() {
  const stream = { text: '', isTTY: false, write: (t: string) => ((stream.text += t), true) };
  return stream;
}

afterEach(() => {
  jest.useRealTimers();
});

describe('RunView in a pipe', () => {
  it('writes a heartbeat after 10 s without a line, naming the case, its step and the ETA, and none before', () => {
    jest.useFakeTimers();
    let now = 0;
    const stream = pipe();
    const view = new RunView({
      stream: stream as unknown as NodeJS.WriteStream,
      verbose: false,
      color: false,
      jobs: 1,
      live: false,
      now: () => now,
    });
    view.caseStart(spec('a[x=1]'), 1, 2, 'virtual');
    view.caseEnd(caseResult({ id: 'a[x=1]', durationMs: 30_000 }), 1, 2);
    view.caseStart(spec('a[x=2]'), 2, 2, 'virtual');
    view.event(spec('a[x=2]'), { t: 0, type: 'step', phase: 'start', index: 3, key: 'wait', description: 'wait for booted' });
    now = 9_000;
    jest.advanceTimersByTime(9_000);
    expect(stream.text.split('\n').filter((l) => l.includes('...'))).toEqual([]);
    now = 12_000;
    jest.advanceTimersByTime(3_000);
    expect(stream.text).toContain('  ... [2/2] a[x=2] 12.0s, step 4 (wait for booted) for 12.0s; run 0:12, ETA 0:18\n');
    view.close();
    expect(stream.text).not.toContain('\u001b[');
  });

  it('with -v finishes a step line with its duration, or writes it whole when another line came between', () => {
    const stream = pipe();
    const view = new RunView({
      stream: stream as unknown as NodeJS.WriteStream,
      verbose: true,
      color: false,
      jobs: 1,
      live: false,
      now: () => 0,
    });
    const s = spec('a');
    view.caseStart(s, 1, 1, 'virtual');
    view.event(s, { t: 0, type: 'step', phase: 'start', index: 0, key: 'power', description: 'power on' });
    view.event(s, { t: 6, type: 'step', phase: 'end', index: 0, key: 'power', ms: 6.4 });
    view.event(s, { t: 6, type: 'step', phase: 'start', index: 1, key: 'flash', description: 'flash bootloader' });
    view.event(s, {
      t: 7,
      type: 'probe-progress',
      part: 'probe',
      phase: 'program',
      percent: 0,
      image: 'bootloader',
      bytes: 0,
      total: 2048,
    });
    view.event(s, {
      t: 9,
      type: 'probe-progress',
      part: 'probe',
      phase: 'program',
      percent: 100,
      image: 'bootloader',
      bytes: 2048,
      total: 2048,
    });
    view.event(s, { t: 1509, type: 'step', phase: 'end', index: 1, key: 'flash', ms: 1503 });
    view.close();
    expect(stream.text).toBe(
      [
        '[1/1] a on virtual',
        '  step 1: power on (6ms)',
        '  step 2: flash bootloader',
        '    program bootloader: 2.0 KiB in 2 ms (1000.0 KiB/s)',
        '  step 2: flash bootloader (1.5s)',
        '',
      ].join('\n'),
    );
  });
});

describe('RunTracker.eta', () => {
  it('is unknown before a case ended, then the mean duration times the cases left, shared by the jobs', () => {
    let now = 0;
    const t = new RunTracker(2, () => now);
    t.caseStart(spec('a'), 1, 5, 'virtual');
    t.caseStart(spec('b'), 2, 5, 'virtual#2');
    expect(t.eta()).toBeUndefined();
    now = 4_000;
    t.caseEnd(caseResult({ id: 'a', durationMs: 4_000 }), 5);
    // b has run 4 s of its 4 s mean; 3 cases not started take 12 s on 2 jobs.
    expect(t.eta()).toBe(6_000);
  });
});

describe('fit', () => {
  it('cuts a painted line to the width, escapes taking no room, and resets the colour it cut', () => {
    expect(fit('\u001b[1m[1/2]\u001b[0m abcdef', 8)).toBe('\u001b[1m[1/2]\u001b[0m ab\u001b[0m');
    expect(fit('short', 8)).toBe('short');
  });
});
