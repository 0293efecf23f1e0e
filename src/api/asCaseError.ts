import { CaseFailure, RigError } from '../core/errors.js';

const HIL_ERRORS = ['CaseFailure', 'RigError', 'ConfigError', 'CaseSkipped', 'Interrupted'];

/**
 * A test's own failure as the case's: hil's errors as they are, an assertion as a CaseFailure. A runner may hand
 * over a copy of the error (vitest serializes it): its name still says whether the rig broke.
 */
export function asCaseError(error: unknown): unknown {
  if (error instanceof Error && HIL_ERRORS.includes(error.name)) return error;
  const { name, message } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : typeof error === 'string' ? error : 'the test failed';
  const line = text.split('\n').find((l) => l.trim()) ?? 'the test failed';
  if (name === 'RigError' || name === 'ConfigError') return new RigError('test', line);
  return new CaseFailure(line);
}
