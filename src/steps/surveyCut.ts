import type { z } from 'zod';
import { RigError } from '../core/errors.js';
import { canSurvey, type SurveyRun } from '../protocols/Probe.js';
import { ARM_TIMEOUT_MS, symbolFile, type codeLocation } from './codeCut.js';
import type { StepContext } from './Step.js';

/** How long a survey may run once armed: a stop at every hit, hundreds of them, each a few ms. */
const SURVEY_MS = 120_000;

/**
 * A sweeping code cut in a cut survey (run/CutSurvey.ts): armed like a cut, but the CPU halts at every call of
 * the symbol in turn and nothing is cut; the survey reads what each hit's cut would leave while it is halted.
 * Returns once armed; the survey goes on in the background until its owner ends it.
 */
export async function armSurvey(
  at: z.infer<typeof codeLocation>,
  within: number,
  ctx: StepContext,
  survey: NonNullable<StepContext['survey']>,
): Promise<void> {
  const probe = ctx.rig.probe;
  if (!canSurvey(probe))
    throw new RigError('probe', `cut at ${at.symbol}: the rig's probe (${probe?.description ?? 'none'}) cannot survey`);
  const code = { symbol: at.symbol, symbols: symbolFile(at, ctx.rig.images, ctx.scenarioDir) };
  await new Promise<void>((armedOk, armFailed) => {
    ctx.background(`survey of ${at.symbol}`, async (signal) => {
      let run: SurveyRun;
      try {
        run = await probe.survey(code, { signal, timeoutMs: within + SURVEY_MS + ARM_TIMEOUT_MS }, (halt) => survey.hit(halt));
      } catch (err) {
        armFailed(err);
        return;
      }
      ctx.timeline.record('cut', { phase: 'armed', anchor: `${at.symbol}, every hit (survey)`, armedAt: ctx.timeline.now() });
      survey.started(run);
      armedOk();
      await run.ended;
    });
  });
}
