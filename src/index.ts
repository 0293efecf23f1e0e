/**
 * hil's API: load and check rigs and scenarios, run scenarios as `hil run` does, and drive a board from a test
 * written in code (docs/api.md). The test helpers are `hil/jest` and `hil/vitest`.
 */
export { loadRig, loadScenario, loadModel, validate, type LoadOptions, type Validation } from './api/load.js';
export { runScenarios, type RunScenariosOptions } from './api/runScenarios.js';
export { LeasedRig, type LeaseRigOptions, type BoardOptions } from './api/LeasedRig.js';
export { Board, type ArmedCut, type CodeLocation, type Duration, type FlashArgs, type InspectArgs, type TimedCut } from './api/Board.js';
export type { ReadTarget } from './api/boardSteps.js';
export type { ConsoleMatch, ConsolePattern } from './api/ConsoleLines.js';
export { CaseFailure, CaseSkipped, ConfigError, Interrupted, RigError, type ConfigIssue, type SourceLocation } from './core/errors.js';
export type { CaseResult, CutMeasure } from './report/CaseResult.js';
export type { RunResult } from './report/RunResult.js';
export type { CaseStatus } from './core/outcome.js';
export type { RigSpec } from './rig/RigSpec.js';
export type { Scenario } from './scenario/Scenario.js';
export type { ExpectationSpec } from './expect/ExpectationModel.js';

import { LeasedRig } from './api/LeasedRig.js';

/** Leases a rig (name or path) for several boards in a row: a test file's tests. */
export const leaseRig = LeasedRig.open;
/** Leases a rig and opens a board on it; `await board.close()` powers off and releases the rig. */
export const openBoard = LeasedRig.openBoard;
