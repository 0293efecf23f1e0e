import { join } from 'node:path';
import { Interrupted } from '../core/errors.js';
import type { CaseResult } from '../report/CaseResult.js';
import type { RunResult } from '../report/RunResult.js';
import { run } from '../run/Run.js';
import { buildVariant, checkPatches } from './buildVariant.js';
import type { Mutant, TeethScenario, TeethSpec } from './TeethFile.js';

type Verdict = 'passes' | 'fails' | 'caught' | 'missed' | 'build failed' | 'rig error' | 'not run';

export interface VariantResult {
  /** `good` for the unmutated build. */
  name: string;
  verdict: Verdict;
  /** Case ids that failed: for a mutant, what caught it; for the good build, what it fails. */
  caughtBy: string[];
  /** Why the build failed, or the rig error, with the tail of the tool's output. */
  why?: string;
  tail?: string;
  /** Where the runs' reports went. */
  reports?: string;
}

export interface TeethOptions {
  reportDir: string;
  stateDir: string;
  /** Run every scenario against every mutant, not only up to the first that catches it. */
  all?: boolean;
  waitMs?: number;
  quarantineAfter?: number;
  signal: AbortSignal;
  /** A line of progress. */
  log(line: string): void;
}

export interface TeethResult {
  variants: VariantResult[];
  interrupted?: NodeJS.Signals;
}

/**
 * The good build first, against every scenario: a scenario it fails proves nothing about the mutants, so then
 * nothing else runs. Then each mutant, built and run against the scenarios in order, up to the first that
 * catches it (a case fails) or through all of them. A rig error (a case that errored) ends the measure: its
 * figures would not mean what they say.
 */
export async function measureTeeth(spec: TeethSpec, options: TeethOptions): Promise<TeethResult> {
  const variants: VariantResult[] = [];
  try {
    await checkPatches(spec, options.signal);
  } catch (error) {
    if (error instanceof Interrupted) return { variants: [], interrupted: error.signal };
    throw error;
  }
  const order: Array<Mutant | undefined> = [undefined, ...spec.mutants];
  for (const [i, mutant] of order.entries()) {
    const name = mutant?.name ?? 'good';
    const tag = mutant ? `[${i}/${spec.mutants.length}] ${name}` : 'good build';
    if (options.signal.aborted) break;
    let built: Awaited<ReturnType<typeof buildVariant>>;
    try {
      built = await buildVariant(spec, mutant, options.stateDir, options.signal);
    } catch (error) {
      if (error instanceof Interrupted) return { variants, interrupted: error.signal };
      throw error;
    }
    if (!built.ok) {
      // The unmutated build failing is the recipe's fault: the caller refuses it.
      variants.push({ name, verdict: 'build failed', caughtBy: [], why: built.why, tail: built.tail });
      options.log(`${tag}: build failed (${built.why})`);
      if (!mutant) break;
      continue;
    }
    options.log(`${tag}: built in ${(built.durationMs / 1000).toFixed(1)}s`);
    const reports = join(options.reportDir, name);
    const result: VariantResult = { name, verdict: mutant ? 'missed' : 'passes', caughtBy: [], reports };
    variants.push(result);
    for (const scenario of spec.scenarios) {
      const ran = await runScenario(spec, scenario, built.image, reports, options);
      if (ran.interrupted) {
        result.verdict = 'not run';
        return { variants, interrupted: ran.interrupted };
      }
      const failed = ran.cases.filter((c) => c.status === 'fail');
      const errored = ran.cases.find((c) => c.status === 'error');
      options.log(`${tag}: ${scenario.label} ${outcome(ran.cases, Boolean(mutant))}`);
      if (failed.length) {
        result.verdict = mutant ? 'caught' : 'fails';
        result.caughtBy.push(...failed.map((c) => `${c.id}${scenario.suffix}`));
        if (mutant && !options.all) break;
      } else if (errored) {
        result.verdict = 'rig error';
        result.why = `${errored.id}: ${errored.message ?? 'error'}`;
        return { variants };
      }
    }
    if (!mutant && result.verdict === 'fails') break;
  }
  return { variants, interrupted: options.signal.reason instanceof Interrupted ? options.signal.reason.signal : undefined };
}

async function runScenario(
  spec: TeethSpec,
  scenario: TeethScenario,
  image: string,
  reportDir: string,
  options: TeethOptions,
): Promise<RunResult> {
  return run({
    scenarios: [scenario.ref],
    rig: spec.rig,
    overrides: scenario.params,
    images: { ...scenario.images, [spec.build.image]: image },
    reportDir,
    waitMs: options.waitMs,
    quarantineAfter: options.quarantineAfter,
    signal: options.signal,
    log: (message) => options.log(`  ${message}`),
  });
}

function outcome(cases: CaseResult[], mutant: boolean): string {
  const n = (status: CaseResult['status']) => cases.filter((c) => c.status === status).length;
  const failed = n('fail');
  if (failed) return `${mutant ? 'caught it' : 'FAILS'}: ${failed} of ${cases.length} cases failed`;
  if (n('error')) return `rig error in ${n('error')} of ${cases.length} cases`;
  return `${n('pass')} of ${cases.length} cases passed${n('skipped') ? `, ${n('skipped')} skipped` : ''}`;
}
