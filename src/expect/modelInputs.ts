import type { ConsoleLine, ConsoleSegment } from '../protocols/Console.js';
import type { Expectation, RunnerEvent } from './Expectation.js';

/** What a model is fed: console text, or an event of the runner (power, buttons, sends). */
export type ModelInput = { segment: ConsoleSegment } | { line: ConsoleLine } | { event: RunnerEvent };

/**
 * The model, handing each input to `record` before taking it: a cut survey feeds what one run's model took up to
 * a cut into the models of the cases that start there, which then stand where it stood.
 */
export function recordingInputs(model: Expectation, record: (input: ModelInput) => void): Expectation {
  return new Proxy(model, {
    get(target, key) {
      if (key === 'feedSegment') return (segment: ConsoleSegment) => (record({ segment }), target.feedSegment(segment));
      if (key === 'feedLine') return (line: ConsoleLine) => (record({ line }), target.feedLine(line));
      if (key === 'send') return (event: RunnerEvent) => (record({ event }), target.send(event));
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Feeds one recorded input to `model`, as it was fed the first time. */
export function replayInput(model: Expectation, input: ModelInput): void {
  if ('segment' in input) model.feedSegment(input.segment);
  else if ('line' in input) model.feedLine(input.line);
  else model.send(input.event);
}
