import { stepArgs, sweepSequence, type Scenario, type ScenarioStep } from '../scenario/Scenario.js';
import type { StepCall } from './LiveCase.js';

/** A scenario's step as a case runs it: its arguments for the case's parameters, its description and sequence. */
export function scenarioStepCall(scenario: Scenario, step: ScenarioStep, params: Record<string, string>): StepCall {
  const args = stepArgs(scenario, step, params);
  const sequence = sweepSequence(scenario, step, params);
  return {
    definition: step.definition,
    args,
    index: step.index,
    description: step.name ?? step.definition.describe(args),
    timeoutMs: step.timeoutMs,
    ...(sequence ? { sequence } : {}),
  };
}
