import { describe, expect, it } from '@jest/globals';
import { exitCodeForRun } from '../../src/cli/exitCodes.js';
import { caseResult, runResult } from '../helpers/results.js';

/** One rule for `hil run` and `hil report merge`: the signal hil itself got, then a failure, then anything unfinished. */
describe('exitCodeForRun', () => {
  const pass = caseResult();
  const fail = caseResult({ status: 'fail', message: 'no rollback' });
  const error = caseResult({ status: 'error', message: 'console gone' });
  const skipped = caseResult({ status: 'skipped', message: 'not run: the run was interrupted' });

  it('a merge holding an interrupted run with a failed case exits 1, the failure', () => {
    expect(exitCodeForRun(runResult([pass, fail, skipped], { interrupted: 'SIGINT' }))).toBe(1);
  });

  it('a merge holding an interrupted or killed run and nothing failed is never green: 3', () => {
    expect(exitCodeForRun(runResult([pass, skipped], { interrupted: 'SIGTERM' }))).toBe(3);
    expect(exitCodeForRun(runResult([pass], { unfinished: true }))).toBe(3);
  });

  it('hil run that got the signal itself exits 130 / 143 whatever its cases did', () => {
    expect(exitCodeForRun(runResult([fail, skipped], { interrupted: 'SIGINT' }), 'SIGINT')).toBe(130);
    expect(exitCodeForRun(runResult([pass, skipped], { interrupted: 'SIGTERM' }), 'SIGTERM')).toBe(143);
  });

  it('a failure outranks a rig error; a rig error, a report not written or a quarantined rig is 3; else 0', () => {
    expect(exitCodeForRun(runResult([error, fail]))).toBe(1);
    expect(exitCodeForRun(runResult([pass, error]))).toBe(3);
    expect(exitCodeForRun(runResult([pass], { reportErrors: ['cannot write junit.xml'] }))).toBe(3);
    expect(exitCodeForRun(runResult([caseResult({ status: 'skipped', properties: { quarantined: 'true' } })]))).toBe(3);
    expect(exitCodeForRun(runResult([pass, skipped]))).toBe(0);
  });
});
