import { describe, expect, it } from '@jest/globals';
import { CaseFailure, CaseSkipped, ConfigError, Interrupted, RigError } from '../../src/core/errors.js';
import { outcome } from '../../src/core/outcome.js';

describe('outcome', () => {
  it('maps every error to the case status and exit code CI reads', () => {
    const cases: Array<[unknown, string, number]> = [
      [new ConfigError({ file: 'scenarios/a.yaml', line: 3, message: 'bad' }), 'error', 2],
      [new RigError('probe', 'not found'), 'error', 3],
      [new CaseFailure('wrong-version'), 'fail', 1],
      [new CaseSkipped('cut landed late'), 'skipped', 0],
      [new Interrupted('SIGINT'), 'error', 130],
      [new Interrupted('SIGTERM'), 'error', 143],
      [new TypeError('x is undefined'), 'error', 3],
      [Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }), 'error', 3],
      ['a thrown string', 'error', 3],
      [undefined, 'error', 3],
    ];
    for (const [error, status, exitCode] of cases) expect({ error, ...outcome(error) }).toEqual({ error, status, exitCode });
  });
});
