import { dirname } from 'node:path';
import type { Scenario, ScenarioStep } from '../scenario/Scenario.js';
import { scenarioStepCall } from './scenarioStepCall.js';
import type { CaseResult } from '../report/CaseResult.js';
import { LiveCase, type LiveCaseOptions } from './LiveCase.js';
import { CaseSkipped } from '../core/errors.js';
import { placeholders } from '../config/params.js';
import type { StepContext } from '../steps/Step.js';
import { PRUNED_AS, PRUNED_AT, type ExploredStates } from './ExploredStates.js';
import type { TimelineEvent } from '../core/TimelineEvent.js';
import type { CutSurveys } from './CutSurveys.js';

/** Where and how a case runs, as a live case takes it (`LiveCaseOptions`), and the scenario it comes from. */
export interface CaseRunOptions extends Pick<LiveCaseOptions, 'rig' | 'spec' | 'runDir' | 'instance' | 'signal' | 'log' | 'kept'> {
  scenario: Scenario;
  /**
   * Every event of the case's timeline as it is recorded (steps, console lines, flash progress), for live
   * progress. Called in the turn that records it, which may be reacting to a console line with a power cut:
   * it must only take note, never wait or write much.
   */
  onEvent?(event: TimelineEvent): void;
  /** A multi-cut sweep's states reached at cuts: a case reaching one already explored stops there. */
  explored?: ExploredStates;
  /** A hit sweep's surveys: a case starts at its cut where one vouches for its hit. */
  surveys?: CutSurveys;
}

/**
 * Runs one case start to end and always returns a result: reports are written from it whatever happened. The
 * case stops at the first step that fails or once the model has failed.
 */
export async function runCase(options: CaseRunOptions): Promise<CaseResult> {
  const { scenario, spec } = options;
  // Before the case opens anything: the survey uses the same rig.
  const survey = await options.surveys?.surveyFor(options);
  const c = new LiveCase({
    ...options,
    scenario: scenario.name,
    expect: scenario.expect,
    timeoutMs: scenario.timeoutMs,
    scenarioDir: dirname(scenario.file),
  });
  if (options.onEvent) c.timeline.subscribe(options.onEvent);
  try {
    await c.open();
    const from = survey ? await options.surveys!.start(c, survey) : 0;
    for (const step of scenario.steps) {
      if (step.index < from) continue;
      c.check();
      await c.step({
        ...scenarioStepCall(scenario, step, spec.params),
        ...(options.explored ? { cutMade: (cut: CutMade) => pruneAtCut(c, options, step, cut) } : {}),
      });
    }
    await c.settle();
  } catch (err) {
    c.fail(await c.blame(err));
  } finally {
    await c.end();
  }
  return c.report();
}

type CutMade = Parameters<NonNullable<StepContext['cutMade']>>[0];

/** Stops the case as pruned when another case of the sweep reached the same state at a cut. */
async function pruneAtCut(c: LiveCase, options: CaseRunOptions, step: ScenarioStep, cut: CutMade): Promise<void> {
  const { scenario, spec, explored } = options;
  // A model that failed before the cut ends the case as a failure, never as a skip in favour of another case.
  if (c.expectation.failure()) return;
  const later: Record<string, string> = {};
  for (const s of scenario.steps) if (s.index > step.index) for (const p of placeholders(s.raw)) later[p] = spec.params[p] ?? '';
  // The model has not heard POWER_OFF yet (StepContext.setPower's whileOff), and where it goes on it follows from
  // where it landed: that state is the model's part of the future.
  const first = await explored!.claim({ flash: cut.flash.map((f) => f.bytes), modelState: cut.landed, step: step.index, later }, spec.id);
  if (first === undefined) return;
  c.properties[PRUNED_AT] = cut.sweep ?? `step ${step.index + 1}`;
  c.properties[PRUNED_AS] = first;
  throw new CaseSkipped(`pruned: at this cut the flash and the model are as ${first} had them, which runs on from there`);
}
