import { describe, expect, it } from '@jest/globals';
import { checkModel, stateNames } from '../helpers/expectationSpec.js';
import { patternNames, rollbackModel } from '../helpers/rollbackModel.js';

const extra = { patternNames };

/** A small valid model to break one thing at a time. */
function small(): Record<string, any> {
  return {
    initial: 'off',
    on: { POWER_OFF: '.off' },
    states: {
      off: { on: { POWER_ON: 'booting' } },
      booting: { on: { BANNER: 'running' }, after: { 3000: '#fail.no-banner' } },
      running: { on: { NO_IMAGE: 'done' } },
      done: { type: 'final' },
    },
  };
}

describe('checkModel', () => {
  it('accepts the flagship rollback model and a small one', () => {
    expect(checkModel(rollbackModel(), extra)).toEqual([]);
    expect(checkModel(small(), extra)).toEqual([]);
  });

  it('refuses something that is not a model', () => {
    expect(checkModel('off', extra)).toEqual([{ path: [], message: expect.stringContaining('mapping') }]);
    expect(checkModel({ initial: 'off' }, extra)).toEqual([{ path: [], message: 'the model needs states' }]);
  });

  it('reports a missing initial state, at the top and in a nested state', () => {
    const top = small();
    delete top.initial;
    expect(checkModel(top, extra)).toEqual([
      { path: [], message: expect.stringMatching(/has states but no initial \(one of: off, booting, running, done\)/) },
    ]);

    const nested = rollbackModel() as any;
    delete nested.states.bootloader.initial;
    expect(checkModel(nested, extra)).toEqual([
      { path: ['states', 'bootloader'], message: expect.stringContaining('state bootloader has states but no initial') },
    ]);
  });

  it('reports an initial state that does not exist, with a suggestion', () => {
    const m = rollbackModel() as any;
    m.states.bootloader.initial = 'checkin';
    expect(checkModel(m, extra)).toEqual([
      {
        path: ['states', 'bootloader', 'initial'],
        message: expect.stringContaining(
          'initial state "checkin" is not one of checking, no-image, held, copying (did you mean "checking"?)',
        ),
      },
    ]);
  });

  it('reports a transition target that does not exist, with a did-you-mean', () => {
    const m = small();
    m.states.off.on.POWER_ON = 'boting';
    expect(checkModel(m, extra)).toEqual([
      { path: ['states', 'off', 'on', 'POWER_ON'], message: 'target "boting" is not a state (did you mean "booting"?)' },
    ]);
  });

  it('resolves .child, #id and #id.child targets and reports bad ones', () => {
    const m = rollbackModel() as any;
    m.states.booting.on.NO_IMAGE = '#factory-runing';
    m.states.bootloader.on = { RESET: '.chekcing' };
    m.states.off.on.BUTTON_DOWN = { target: 'bootloader.copyng' };
    const issues = checkModel(m, extra);
    expect(issues).toEqual([
      {
        path: ['states', 'off', 'on', 'BUTTON_DOWN', 'target'],
        message: 'target "bootloader.copyng" is not a state (did you mean "bootloader.copying"?)',
      },
      { path: ['states', 'booting', 'on', 'NO_IMAGE'], message: 'no state with id "#factory-runing" (did you mean "#factory-running"?)' },
      { path: ['states', 'bootloader', 'on', 'RESET'], message: 'target ".chekcing" is not a state (did you mean ".checking"?)' },
    ]);
    // The same spellings, correct, are fine.
    m.states.booting.on.NO_IMAGE = '#factory-running';
    m.states.bootloader.on = { RESET: '.checking' };
    m.states.off.on.BUTTON_DOWN = { target: 'bootloader.copying' };
    expect(checkModel(m, extra)).toEqual([]);
  });

  it('reports an event that is neither a pattern nor a runner event, with a did-you-mean', () => {
    const m = small();
    m.states.booting.on = { BANER: 'running' };
    const issues = checkModel(m, extra);
    expect(issues[0]).toEqual({
      path: ['states', 'booting', 'on', 'BANER'],
      key: true,
      message: expect.stringContaining('unknown event "BANER"'),
    });
    expect(issues[0]!.message).toContain('(did you mean "BANNER"?)');
    expect(issues[0]!.message).toContain('POWER_ON');
  });

  it('reports a final state that cannot be reached from the initial state', () => {
    const m = small();
    m.states.running.on = { NO_IMAGE: 'booting' };
    expect(checkModel(m, extra)).toEqual([
      { path: ['states', 'done'], message: 'final state done is unreachable from the initial state: no transition leads to it' },
    ]);
  });

  it('reports an unreachable subtree once, at its top', () => {
    const m = rollbackModel() as any;
    m.states.booting.on = {};
    const issues = checkModel(m, extra);
    expect(issues.map((i) => i.path)).toEqual([
      ['states', 'bootloader'],
      ['states', 'factory-running'],
    ]);
  });

  it('does not count paths through a top-level final state', () => {
    const m = small();
    m.states.done = { type: 'final' };
    m.states.later = {};
    m.on = { POWER_OFF: '.off', RESET: 'later' };
    // `later` is reachable through the root-level RESET from any live state, but not from `done`.
    expect(checkModel(m, extra)).toEqual([]);
    m.on = { POWER_OFF: '.off' };
    m.states.done = { type: 'final' };
    m.states.running.on = { NO_IMAGE: 'done' };
    expect(checkModel(m, extra).map((i) => i.message)).toEqual([
      'state later is unreachable from the initial state: no transition leads to it',
    ]);
  });

  it('reports after delays that are not durations, and accepts 3000, 500ms and 1.5s', () => {
    const m = small();
    m.states.booting.after = { soon: '#fail.x', '3 parsecs': '#fail.y' };
    expect(checkModel(m, extra)).toEqual([
      { path: ['states', 'booting', 'after', 'soon'], key: true, message: expect.stringContaining('after delay "soon" is not a duration') },
      { path: ['states', 'booting', 'after', '3 parsecs'], key: true, message: expect.stringContaining('not a duration') },
    ]);
    m.states.booting.after = { 3000: '#fail.a', '500ms': '#fail.b', '1.5s': '#fail.c' };
    expect(checkModel(m, extra)).toEqual([]);
    m.states.booting.after = { 3000: '#fail.a', '3s': '#fail.b' };
    expect(checkModel(m, extra)).toEqual([
      { path: ['states', 'booting', 'after', '3s'], key: true, message: 'after delay "3s" is the same as "3000"' },
    ]);
  });

  it('checks when: groups against the pattern when the groups are known, and runner event groups always', () => {
    const m = rollbackModel() as any;
    m.states.bootloader.states.copying.on.FACTORY[0].when = { versoin: '1.0.0' };
    const withGroups = { patternNames, patternGroups: { FACTORY: ['version'] } };
    expect(checkModel(m, withGroups)).toEqual([
      {
        path: ['states', 'bootloader', 'states', 'copying', 'on', 'FACTORY', 0, 'when', 'versoin'],
        key: true,
        message: 'FACTORY has no group "versoin": it has version (did you mean "version"?)',
      },
    ]);
    const r = rollbackModel() as any;
    r.states.bootloader.states['no-image'].on.BUTTON_DOWN.when = { name: 'user' };
    expect(checkModel(r, extra)[0]!.message).toBe('BUTTON_DOWN has no group "name": it has output');
    r.states.bootloader.states['no-image'].on.BUTTON_DOWN.when = { output: [] };
    expect(checkModel(r, extra)[0]!.message).toBe('a group value is a string or number, or a list of them');
  });

  it('flags alternatives that can never be taken, and guard/cond written xstate-style', () => {
    const m = rollbackModel() as any;
    m.states.bootloader.states.copying.on.FACTORY = ['#factory-running', { target: '#fail.x', when: { version: '2' } }];
    expect(checkModel(m, extra)).toEqual([
      {
        path: ['states', 'bootloader', 'states', 'copying', 'on', 'FACTORY', 0],
        message: 'alternative 1 has no when, so the ones after it are never taken',
      },
    ]);
    const g = rollbackModel() as any;
    g.states.bootloader.states.copying.on.FACTORY = { target: '#factory-running', guard: 'isGood' };
    expect(checkModel(g, extra)[0]!.message).toContain('use when: { group: value }');
  });

  it('reports unknown keys with a suggestion and refuses parallel states', () => {
    const m = small();
    m.states.booting.intial = 'x';
    m.states.running.type = 'parallel';
    expect(checkModel(m, extra).map((i) => i.message)).toEqual([
      expect.stringContaining('unknown key "intial" (did you mean "initial"?)'),
      'parallel states are not supported: the model is in one state at a time',
    ]);
  });

  it('creates fail reasons implicitly, but checks them when the model lists its own', () => {
    const m = small();
    expect(checkModel(m, extra)).toEqual([]);
    m.states.fail = { states: { 'no-banner': {}, 'bad-crc': {} } };
    expect(checkModel(m, extra)).toEqual([]);
    m.states.booting.after = { 3000: '#fail.no-baner' };
    expect(checkModel(m, extra)).toEqual([
      { path: ['states', 'booting', 'after', '3000'], message: 'target "#fail.no-baner" is not a state (did you mean "#fail.no-banner"?)' },
    ]);
    m.states.booting.after = { 3000: '#fail' };
    expect(checkModel(m, extra)[0]!.message).toBe('name the reason: one of #fail.no-banner, #fail.bad-crc');
  });

  it('keeps the id fail for the top-level fail state and refuses duplicate ids', () => {
    const m = small();
    m.states.running.id = 'fail';
    expect(checkModel(m, extra)[0]).toEqual({
      path: ['states', 'running', 'id'],
      message: 'the id "fail" is reserved for the top-level fail state',
    });
    const d = small();
    d.states.running.id = 'x';
    d.states.booting.id = 'x';
    expect(checkModel(d, extra)).toEqual([{ path: ['states', 'running', 'id'], message: 'id "x" is already used by state booting' }]);
  });
});

describe('stateNames', () => {
  it('lists dotted paths, ids and unique bare names, never fail states', () => {
    const names = stateNames(rollbackModel());
    for (const n of [
      'off',
      'booting',
      'bootloader',
      'bootloader.checking',
      'bootloader.no-image',
      'no-image',
      'copying',
      'factory-running',
      '#factory-running',
    ]) {
      expect(names).toContain(n);
    }
    expect(names.filter((n) => n.includes('fail'))).toEqual([]);
  });

  it('leaves out a bare name that is ambiguous', () => {
    const names = stateNames({
      initial: 'a',
      states: { a: { initial: 'idle', states: { idle: { on: { RESET: '#b' } } } }, b: { id: 'b', initial: 'idle', states: { idle: {} } } },
    });
    expect(names).toEqual(expect.arrayContaining(['a.idle', 'b.idle', '#b.idle', 'b']));
    expect(names).not.toContain('idle');
  });

  it('returns nothing for something that is not a model', () => {
    expect(stateNames(42)).toEqual([]);
  });
});
