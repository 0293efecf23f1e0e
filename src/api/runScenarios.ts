import type { RunResult } from '../report/RunResult.js';
import { planRun, run, type RunOptions } from '../run/Run.js';

export interface RunScenariosOptions extends Partial<Omit<RunOptions, 'scenarios' | 'overrides' | 'only' | 'signal' | 'log'>> {
  /** `--param k=v`: a parameter's value, or a comma list to sweep. */
  params?: Record<string, string>;
  /** `--case ID`: only these cases. */
  cases?: string[];
  /** Aborting it stops the current case safely (power off, rig released) and still writes the reports. */
  signal?: AbortSignal;
  /** Progress messages; default: none. */
  log?(message: string): void;
}

/**
 * Runs scenarios (names or paths) as `hil run` does, reports included (`reportDir`, default `reports`), and
 * returns what results.json holds. A mistake in a file is a ConfigError before any rig is touched; a case that
 * fails or errors is in the result, not thrown.
 */
export async function runScenarios(scenarios: string | string[], options: RunScenariosOptions = {}): Promise<RunResult> {
  const { params, cases, ...rest } = options;
  const runOptions: RunOptions = {
    ...rest,
    scenarios: typeof scenarios === 'string' ? [scenarios] : scenarios,
    overrides: params,
    only: cases,
    reportDir: options.reportDir ?? 'reports',
    signal: options.signal ?? new AbortController().signal,
    log: options.log ?? (() => undefined),
  };
  return run(runOptions, planRun(runOptions));
}
