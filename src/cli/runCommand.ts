import { relative } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { RunResult } from '../report/RunResult.js';
import { parseShard, planRun, run, shardPlan, type PlannedScenario } from '../run/Run.js';
import { Project } from '../config/Project.js';
import { summaryLine } from '../report/summary.js';
import { coverageTable } from '../report/coverageTable.js';
import { DEFAULT_MAX_CASES } from '../run/CoverageSweep.js';
import { PRUNED_AT } from '../run/ExploredStates.js';
import { cutLatencyLine } from '../report/cutLatency.js';
import { renderJsonReport } from '../report/json.js';
import type { RunOptions } from './commandLine.js';
import { exitCodeForRun } from './exitCodes.js';
import { FLASH_AT_CUT } from '../steps/flashAtCut.js';
import { err, out, paint, useColor } from './output.js';
import { MARK } from './progress/caseLines.js';
import { RunView } from './progress/RunView.js';
import { parsePairs } from './optionPairs.js';
import { untilInterrupted } from './untilInterrupted.js';

/** Skipped points the summary names one by one; an interrupted sweep can leave thousands unrun. */
const SKIPS_LISTED = 20;

/** `hil run`: returns the exit code; SIGINT/SIGTERM stop the current case safely and still write the reports. */
export async function runCommand(scenarios: string[], opts: RunOptions): Promise<number> {
  const { base, infra } = runOptions(scenarios, opts);
  const plan = opts.shard ? shardPlan(planRun(base), parseShard(opts.shard)) : planRun(base);
  // With --json the result is stdout's and progress goes to stderr: colour and the live block follow that stream.
  const stream = opts.json ? process.stderr : process.stdout;
  const color = useColor(stream);
  const view = new RunView({
    stream,
    color,
    verbose: Boolean(opts.verbose),
    jobs: base.jobs,
    live: Boolean(stream.isTTY) && process.env['TERM'] !== 'dumb',
  });

  let result: RunResult;
  try {
    result = await untilInterrupted(
      (signal) =>
        run(
          {
            ...base,
            ...infra,
            reportDir: opts.reportDir,
            signal,
            log: (m) => view.log(m),
            onCaseStart: (spec, i, total, rig) => view.caseStart(spec, i, total, rig),
            onEvent: (spec, event) => {
              // Called where the event is recorded (maybe mid power cut): a display bug must not break the case.
              try {
                view.event(spec, event);
              } catch {
                // The reports still hold the event.
              }
            },
            onCaseEnd: (c, i, total) => view.caseEnd(c, i, total),
          },
          plan,
        ),
      (signal) => view.say(paint('yellow', `\n${signal}: stopping the current case, switching power off, writing reports...`, color)),
    );
  } finally {
    view.close();
  }

  if (opts.json) out(renderJsonReport(result).trimEnd());
  else printSummary(result, opts, replayRefs(plan));
  for (const message of result.reportErrors ?? []) err(paint('red', `rig error (reports): ${message}`, color));
  return exitCodeForRun(result, result.interrupted);
}

/** The run's options from the command line's text: counts checked, `--param`/`--image` pairs split. */
function runOptions(scenarios: string[], opts: RunOptions) {
  const repeat = Number(opts.repeat);
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new ConfigError({
      file: 'command line',
      field: '--repeat',
      message: `expected a whole number >= 1, got ${JSON.stringify(opts.repeat)}`,
    });
  const count = (option: string, value: string | undefined) => {
    const n = Number(value ?? 0);
    if (!Number.isInteger(n) || n < 0)
      throw new ConfigError({ file: 'command line', field: option, message: `expected a whole number >= 0, got ${JSON.stringify(value)}` });
    return n;
  };
  const infra = {
    waitMs: count('--wait', opts.wait ?? process.env['HIL_WAIT']) * 1000,
    retries: count('--retries', opts.retries),
    quarantineAfter: count('--quarantine-after', opts.quarantineAfter ?? process.env['HIL_QUARANTINE_AFTER'] ?? '3'),
  };
  const atLeastOne = (option: string, value: string | undefined, fallback: number) => {
    const n = value === undefined ? fallback : Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new ConfigError({ file: 'command line', field: option, message: `expected a whole number >= 1, got ${JSON.stringify(value)}` });
    return n;
  };
  const sweep = {
    jobs: atLeastOne('--jobs', opts.jobs, 1),
    untilCoverage: opts.untilCoverage,
    survey: opts.survey,
    maxCases: atLeastOne('--max-cases', opts.maxCases, DEFAULT_MAX_CASES),
  };
  const base = {
    scenarios,
    rig: opts.rig,
    overrides: parsePairs('--param', opts.param),
    images: parsePairs('--image', opts.image),
    repeat,
    only: opts.case,
    ...sweep,
  };
  return { base, infra };
}

/**
 * A sweep that cuts again during recoveries: `multi-cut sweep: 40 run, 25 pruned, 2 failed (3 past the end of a
 * level)`. Run counts the cases that ran to their end; pruned, those stopped at a cut whose state was explored.
 */
function multiCutLine(result: RunResult): string | undefined {
  const cases = result.cases.filter((c) => c.properties['param.hit2'] !== undefined || c.properties[PRUNED_AT] !== undefined);
  if (!cases.length) return undefined;
  const pruned = cases.filter((c) => c.properties[PRUNED_AT] !== undefined).length;
  const ends = cases.filter((c) => c.properties['sweep_end'] === 'true').length;
  const failed = cases.filter((c) => c.status === 'fail' || c.status === 'error').length;
  return `multi-cut sweep: ${cases.length - pruned - ends} run, ${pruned} pruned, ${failed} failed${ends ? ` (${ends} past the end of a level)` : ''}`;
}

/** How a replay command names each scenario: its name, or its file when the name would not find it (given by path). */
function replayRefs(plan: PlannedScenario[]): Map<string, string> {
  const project = new Project();
  return new Map(plan.map(({ scenario }) => [scenario.name, project.refFor('scenarios', scenario.name, scenario.file)]));
}

/** Coverage, cut latency, what did not pass (with the command that replays it), what was skipped, and where the reports are. */
function printSummary(result: RunResult, opts: RunOptions, refs: Map<string, string>): void {
  for (const coverage of result.coverage ?? []) {
    out();
    for (const line of coverageTable(coverage)) out(line);
  }
  if (result.cutLatency) {
    out();
    out(cutLatencyLine(result.cutLatency));
  }
  const multiCut = multiCutLine(result);
  if (multiCut) {
    out();
    out(multiCut);
  }
  const bad = result.cases.filter((c) => c.status === 'fail' || c.status === 'error');
  if (bad.length) {
    out();
    const debuggable = bad.some((c) => c.properties[FLASH_AT_CUT]);
    out(`Not passing (replay one with the command shown${debuggable ? '; hil debug stops the replay just before its cut' : ''}):`);
    for (const c of bad) {
      const rigArg = (opts.rig ? ` --rig ${opts.rig}` : '') + opts.image.map((i) => ` --image ${i}`).join('');
      out(`  ${MARK[c.status][0].padEnd(5)} ${c.id}\n        hil run ${refs.get(c.scenario) ?? c.scenario}${rigArg} --case '${c.id}'`);
      // Only a case whose cut left its flash behind was cut on an emulated board: the one hil debug can stop.
      if (c.properties[FLASH_AT_CUT]) out(`        hil debug '${c.id}'${rigArg}`);
    }
  }
  const skipped = result.cases.filter((c) => c.status === 'skipped');
  if (skipped.length) {
    out();
    out('Skipped (these points asserted nothing; neither a pass nor a fail):');
    for (const c of skipped.slice(0, SKIPS_LISTED)) out(`  SKIP  ${c.id}: ${c.message ?? ''}`);
    if (skipped.length > SKIPS_LISTED) out(`  ... and ${skipped.length - SKIPS_LISTED} more (results.json lists them)`);
  }
  out();
  const flaky = result.cases.filter((c) => c.properties['flaky'] === 'true').length;
  out(summaryLine(result) + (flaky ? `, ${flaky} flaky (passed on retry)` : ''));
  const rel = (p: string) => relative(process.cwd(), p) || '.';
  out(
    `reports: ${rel(result.dir)}/ (index.html, junit.xml, results.json, one folder per case), ${rel(result.dir.replace(/\/[^/]+$/, ''))}/index.html and junit.xml (latest run)`,
  );
}
