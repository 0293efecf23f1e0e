import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { ConfigError } from '../../src/core/errors.js';
import { loadModel, loadRig, loadScenario, validate } from '../../src/api/load.js';
import { ROOT } from '../helpers/hilCli.js';

const fixture = (name: string) => join(ROOT, 'test/fixtures', name);

describe('loading through the API', () => {
  it('finds rigs and scenarios by name as hil run does, and by path', () => {
    expect(loadRig('virtual', { cwd: ROOT }).name).toBe('virtual');
    expect(loadRig(join(ROOT, 'rigs/virtual.yaml')).name).toBe('virtual');
    expect(loadScenario('rollback-powerfail', { cwd: ROOT }).params).toEqual({ cut_after: ['20ms', '60ms', '120ms'] });
    expect(() => loadRig('virtaul', { cwd: ROOT })).toThrow(/no rig named "virtaul" \(did you mean "virtual"\?\)/);
  });

  it('takes a model from a scenario or from a model file of its own, and says where a model file is wrong', () => {
    const fromScenario = loadModel('rollback-powerfail', { cwd: ROOT });
    expect(fromScenario.patterns.map((p) => p.name)).toContain('COPYING');
    const fromFile = loadModel(fixture('api/forbid-secondary.yaml'));
    expect(fromFile.forbidden.map((f) => f.source)).toEqual(['Secondary slot']);
    expect(fromFile.patterns).toEqual([]);
    let error: unknown;
    try {
      loadModel(fixture('api/bad-model.yaml'), { cwd: ROOT });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      /^test\/fixtures\/api\/bad-model\.yaml:7:\d+ model\.states\.off\.on\.POWER_ON: .*bootng.*did you mean "booting"/m,
    );
  });

  it('validates files as hil validate does: each with its issues, none for a good one', () => {
    const checked = validate([join(ROOT, 'rigs/virtual.yaml'), fixture('bad/bad-regex.yaml')], { cwd: ROOT });
    expect(checked.map((c) => [c.kind, c.issues.length > 0])).toEqual([
      ['rig', false],
      ['scenario', true],
    ]);
    expect(checked[1]!.issues[0]).toMatchObject({ file: 'test/fixtures/bad/bad-regex.yaml', line: 6, field: 'expect.patterns.BANNER' });
  });
});
