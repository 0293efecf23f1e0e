import { buttonStep } from './ButtonStep.js';
import { cutStep } from './CutStep.js';
import { flashStep } from './FlashStep.js';
import { inspectStep } from './InspectStep.js';
import { outputStep } from './OutputStep.js';
import { powerStep } from './PowerStep.js';
import { resetStep } from './ResetStep.js';
import { sendStep } from './SendStep.js';
import { sleepStep } from './SleepStep.js';
import type { StepDefinition } from './Step.js';
import { waitStep } from './WaitStep.js';
import { waitUsbStep } from './WaitUsbStep.js';

/** Step kinds by their YAML key: one line per step file. */
export const steps = new Map<string, StepDefinition>(
  (
    [
      powerStep,
      waitStep,
      sendStep,
      outputStep,
      buttonStep,
      sleepStep,
      flashStep,
      cutStep,
      inspectStep,
      resetStep,
      waitUsbStep,
    ] as StepDefinition[]
  ).map((s) => [s.key, s]),
);
