import { canSurvey } from '../protocols/Probe.js';
import { stepArgs, sweepSequence, type Scenario, type ScenarioStep } from '../scenario/Scenario.js';
import { recordHaltCut } from '../steps/codeCut.js';
import { runSurvey, Survey, type SurveyCaseOptions } from './CutSurvey.js';
import type { LiveCase } from './LiveCase.js';

/** The property saying a case started at its cut from the sweep's survey. */
const CUT_FROM_SURVEY = 'cut_from_survey';
/** The property saying why a case of a surveyed sweep ran whole. */
const RUN_WHOLE = 'cut_survey_unusable';

/**
 * The surveys of a scenario's hit sweep (CutSurvey.ts), one per sequence of calls (the other parameters): the
 * first job to need one runs it on its rig before its case; the cases of other jobs start from the hits it has
 * recorded so far, and run whole past them.
 */
export class CutSurveys {
  private readonly surveys = new Map<string, Survey>();

  constructor(
    private readonly scenario: Scenario,
    private readonly cutStep: ScenarioStep,
    private readonly param: string,
  ) {}

  /**
   * A sweep's surveys, where its cases can start at their cut: one sweeping code cut, no fault model on it.
   * `wanted` (--survey, --no-survey) decides; by default a `hit: all` sweep has them, where a survey of every hit
   * costs less than it saves. `fixed`: the parameters --param set.
   */
  static of(scenario: Scenario, wanted: boolean | undefined, fixed: readonly string[]): CutSurveys | undefined {
    const level = scenario.hitSweep;
    if (!level || scenario.hitSweeps.length !== 1) return undefined;
    if (!(wanted ?? (!fixed.includes(level.param) && level.every === 1))) return undefined;
    const cutStep = scenario.steps.find((s) => sweepSequence(scenario, s, {}) !== undefined);
    return cutStep ? new CutSurveys(scenario, cutStep, level.param) : undefined;
  }

  /** The survey for this case's sequence, running it first on this case's rig if nobody has. */
  async surveyFor(options: SurveyCaseOptions): Promise<Survey | undefined> {
    const { spec } = options;
    const args = stepArgs(this.scenario, this.cutStep, spec.params) as { at?: { symbol: string }; fault?: string };
    if (!args.at || (args.fault && args.fault !== 'clean')) return undefined;
    // Copies of one rig file (--jobs on the virtual rig) make the same calls; another rig or other images may not.
    const images = Object.values(options.rig.images).map((i) => i.path);
    const key = JSON.stringify([sweepSequence(this.scenario, this.cutStep, spec.params), options.rig.file, images]);
    const known = this.surveys.get(key);
    if (known) return known;
    const survey = new Survey(args.at.symbol, this.cutStep.index);
    this.surveys.set(key, survey);
    const t0 = performance.now();
    const failed = await runSurvey(options, this.cutStep, survey);
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    if (failed) options.log(`${this.scenario.name}: ${failed}; the cases past hit ${survey.hits.length} run whole`);
    else options.log(`${this.scenario.name}: survey of ${args.at.symbol}: ${survey.hits.length} hits in ${seconds} s`);
    return survey;
  }

  /**
   * Starts an open case at its cut where the survey vouches for its hit: the board off with the flash the cut
   * leaves, the survey's timeline, console and model up to the hit, the cut recorded as the cut step records one.
   * Returns the index of the step to go on from (the one under way at the hit), or 0: the case runs whole.
   */
  async start(c: LiveCase, survey: Survey): Promise<number> {
    const hit = Number(c.options.spec.params[this.param]);
    const at = survey.at(hit);
    const probe = c.rig.probe;
    const whole = (why: string) => ((c.properties[RUN_WHOLE] = why), 0);
    if (typeof at === 'string') return whole(at);
    const flash = survey.flashAt(hit);
    if (!canSurvey(probe) || !(await probe.restoreFlashFiles(flash, { signal: c.signal })))
      return whole("the board's flash cannot be written while it is off");
    const entries = survey.entries.slice(0, at.entries);
    c.replay(entries, at.t);
    const armed = entries.findLast((e) => 'event' in e && e.event.type === 'cut');
    const armedAt = armed && 'event' in armed ? armed.event.t : at.t;
    const ctx = c.stepActions;
    const cut = {
      anchor: `${survey.symbol} hit ${hit}`,
      armedAt,
      haltedAt: at.t,
      pc: at.pc,
      issuedAt: c.timeline.now(),
      sweep: this.param,
      flash,
    };
    await ctx.setPower(false, 'cut', { whileOff: (landed) => recordHaltCut(ctx, cut, landed) });
    c.properties[CUT_FROM_SURVEY] = `steps 1-${at.step} as the sweep's survey ran them, to hit ${hit}`;
    return at.step;
  }
}
