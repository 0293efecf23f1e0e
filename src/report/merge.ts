import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { CaseResult } from './CaseResult.js';
import type { RunResult } from './RunResult.js';
import { RESULTS_FORMAT } from './json.js';
import { RESULTS_LOG } from './RunProgress.js';

/** How deep below a given folder results.json files are looked for (artifacts/<runner>/reports/<run>/results.json). */
const SEARCH_DEPTH = 4;

/** Every results.json in or under `dir` (a run folder, a reports folder, a folder of downloaded CI artifacts). */
export function findResults(dir: string, depth = SEARCH_DEPTH): string[] {
  const direct = join(dir, 'results.json');
  if (existsSync(direct)) return [direct];
  if (depth === 0) return [];
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return entries
    .filter((e) => statSync(join(dir, e), { throwIfNoEntry: false })?.isDirectory())
    .flatMap((e) => findResults(join(dir, e), depth - 1));
}

export function readRun(file: string): RunResult {
  let data: RunResult & { format?: string };
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as RunResult & { format?: string };
  } catch (error) {
    throw new ConfigError({ file, message: `not a readable results.json: ${(error as Error).message}` });
  }
  if (data.format !== RESULTS_FORMAT || !Array.isArray(data.cases))
    throw new ConfigError({ file, message: `not a hil results file (format ${JSON.stringify(data.format)}, expected ${RESULTS_FORMAT})` });
  // The folder may have moved since the run (a CI artifact): the file's own location is the truth.
  const dir = dirname(file);
  // Killed between a case's line and the rewrite of results.json: the log has that case too.
  const logged = data.unfinished ? loggedCases(join(dir, RESULTS_LOG)) : [];
  return { ...data, cases: logged.length > data.cases.length ? logged : data.cases, dir };
}

/** The cases of results.jsonl; a last line cut short by the kill is left out. */
function loggedCases(file: string): CaseResult[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const cases: CaseResult[] = [];
  for (const line of text.split('\n')) {
    try {
      if (line) cases.push(JSON.parse(line) as CaseResult);
    } catch {
      break;
    }
  }
  return cases;
}

/**
 * One run made of many (one per rig runner or shard): every case, its folder re-pointed relative to `outDir` so
 * links from the merged JUnit/HTML still reach each runner's console.log, and the run it came from as a property.
 */
export function mergeRuns(runs: RunResult[], outDir: string, now: Date = new Date()): RunResult {
  const out = resolve(outDir);
  const starts = runs.map((r) => Date.parse(r.startedAt)).filter((t) => !Number.isNaN(t));
  const ends = runs.map((r) => Date.parse(r.startedAt) + r.durationMs).filter((t) => !Number.isNaN(t));
  const first = starts.length ? Math.min(...starts) : now.getTime();
  return {
    runId: `merged-${now
      .toISOString()
      .replace(/[:]/g, '-')
      .replace(/\.\d+Z$/, 'Z')}`,
    startedAt: new Date(first).toISOString(),
    durationMs: ends.length ? Math.max(...ends) - first : 0,
    dir: out,
    cases: runs.flatMap((r) =>
      r.cases.map((c) => ({
        ...c,
        dir: c.dir ? relative(out, join(r.dir, c.dir)) : '',
        properties: { ...c.properties, 'source.run': r.runId },
      })),
    ),
    interrupted: runs.find((r) => r.interrupted)?.interrupted,
    ...(runs.some((r) => r.unfinished) ? { unfinished: true } : {}),
  };
}
