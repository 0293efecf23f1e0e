import { renameSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseResult } from '../report/CaseResult.js';
import { runCase, type CaseRunOptions } from './CaseRunner.js';

/**
 * Runs a case, and again while it errors (up to `retries` more times), keeping each earlier attempt's folder as
 * `<case>.attempt-N`. Every attempt is in the properties; a pass after an error is marked flaky, never hidden.
 * `stop` sees each attempt and says when retrying must end (the rig was just quarantined).
 */
export async function runAttempts(options: CaseRunOptions, retries: number, stop: (attempt: CaseResult) => boolean): Promise<CaseResult> {
  const attempts: CaseResult[] = [];
  for (;;) {
    const result = await runCase(options);
    attempts.push(result);
    const halt = stop(result);
    if (result.status !== 'error' || attempts.length > retries || halt || options.signal.aborted) break;
    const kept = `${result.dir}.attempt-${attempts.length}`;
    renameSync(join(options.runDir, result.dir), join(options.runDir, kept));
    result.dir = kept;
    options.log(`rig error, retrying ${result.id} (attempt ${attempts.length + 1} of ${retries + 1}): ${result.message ?? ''}`);
  }
  const final = attempts.at(-1)!;
  if (attempts.length === 1) return final;
  const record: Record<string, string> = { attempts: String(attempts.length) };
  attempts.forEach((a, i) => {
    record[`attempt.${i + 1}.status`] = a.status;
    if (a.message) record[`attempt.${i + 1}.message`] = a.message;
    record[`attempt.${i + 1}.dir`] = a.dir;
  });
  if (final.status === 'pass') record['flaky'] = 'true';
  return { ...final, properties: { ...final.properties, ...record } };
}
