import { describe, expect, it } from '@jest/globals';
import { Timeline } from '../../src/core/Timeline.js';
import { createExpectation } from '../../src/expect/ExpectationModel.js';
import { recordingInputs, replayInput, type ModelInput } from '../../src/expect/modelInputs.js';
import { expectationSpec } from '../helpers/expectationSpec.js';
import { forbidden, patterns, rollbackModel } from '../helpers/rollbackModel.js';

const spec = () => expectationSpec({ patterns, forbidden, model: rollbackModel() });

describe('recorded model inputs', () => {
  it('a model fed what another took stands where that one stood, with the same coverage', () => {
    const inputs: ModelInput[] = [];
    const first = recordingInputs(createExpectation(spec(), { timeline: new Timeline() }), (i) => inputs.push(i));
    first.send({ type: 'POWER_ON', t: 1 });
    first.feedSegment({ t: 2, text: '[INF] MCUboot Bootloader Started' });
    first.feedLine({ t: 3, text: 'No valid image found', raw: Buffer.from('No valid image found\n') });
    first.send({ type: 'BUTTON_DOWN', t: 4, detail: 'user' });
    expect(inputs).toHaveLength(4);
    expect(first.state()).toMatch(/held$/);

    const second = createExpectation(spec(), { timeline: new Timeline() });
    for (const input of inputs) replayInput(second, input);
    expect(second.state()).toBe(first.state());
    expect(second.coverage()).toEqual(first.coverage());
    first.stop();
    second.stop();
  });

  it('passes every other call through to the model', () => {
    const model = createExpectation(spec(), { timeline: new Timeline() });
    const recorded = recordingInputs(model, () => undefined);
    expect(recorded.state()).toBe(model.state());
    expect(recorded.coverage().states).toEqual(model.coverage().states);
    recorded.stop();
    expect(model.failure()).toBeUndefined();
  });
});
