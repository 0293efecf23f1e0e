import { RigError } from '../core/errors.js';
import { sleep } from '../core/sleep.js';
import type { Timeline } from '../core/Timeline.js';
import type { Expectation } from '../expect/Expectation.js';
import type { RigHandles } from '../rig/RigHandles.js';
import type { StepContext } from '../steps/Step.js';
import type { CutLog } from './CutLog.js';

/** What a case gives its steps to act on the rig with, each action recorded and fed to the model. */
export type StepActions = Omit<StepContext, 'signal' | 'timeoutMs' | 'background'>;

export interface StepActionParts {
  rigName: string;
  handles: RigHandles;
  model: Expectation;
  timeline: Timeline;
  params: Record<string, string>;
  caseDir: string;
  scenarioDir: string;
  cutLog: CutLog;
  properties: Record<string, string>;
  /** Outputs left active, released when the case ends. */
  buttonsDown: Set<string>;
}

export function stepActions(parts: StepActionParts): StepActions {
  const { handles: rigHandles, model, timeline, cutLog, properties, buttonsDown } = parts;
  return {
    rig: rigHandles,
    expect: model,
    timeline,
    params: parts.params,
    caseDir: parts.caseDir,
    scenarioDir: parts.scenarioDir,
    async setPower(on: boolean, cause: string, options?: { whileOff?: (landed: string) => Promise<void> }) {
      const askedAt = timeline.now();
      // POWER_ON goes in first: the board's first line may arrive before power.on() resolves.
      if (on) model.send({ type: 'POWER_ON', t: askedAt });
      if (on) await rigHandles.power.on();
      else await rigHandles.power.off();
      // Read after the power-off: the lines the board printed before it lost power have arrived by then (the
      // virtual board's console drains them), so this is the state the cut landed in, not one it had left.
      const state = model.state();
      if (!on && cause === 'cut') cutLog.stateAtCut = state;
      const doneAt = timeline.now();
      const cutIn = !on && cause === 'cut' ? { stateAtCut: cutLog.stateAtCut } : {};
      timeline.record(
        'power',
        { state: on ? 'on' : 'off', cause, askedAt, latencyMs: Math.round((doneAt - askedAt) * 1000) / 1000, ...cutIn },
        doneAt,
      );
      if (!on) {
        // Failed (a pruned case, a fault model's error), it ends the case: the steps waiting for the board to be
        // off are not let on to power it again meanwhile.
        await options?.whileOff?.(state);
        model.send({ type: 'POWER_OFF', t: doneAt });
      }
      return state;
    },
    async setOutput(name: string, active: boolean, opts?: { button?: boolean }) {
      const output = rigHandles.outputs.get(name);
      if (!output)
        throw new RigError(
          `outputs.${name}`,
          `rig ${parts.rigName} has no output "${name}" (it has: ${[...rigHandles.outputs.keys()].join(', ') || 'none'})`,
        );
      const askedAt = timeline.now();
      await output.set(active);
      timeline.record('output', { name, active, askedAt, latencyMs: Math.round((timeline.now() - askedAt) * 1000) / 1000 });
      if (active) buttonsDown.add(name);
      else buttonsDown.delete(name);
      if (opts?.button) model.send({ type: active ? 'BUTTON_DOWN' : 'BUTTON_UP', t: askedAt, detail: name });
    },
    async send(data: string | Uint8Array, opts?: { charDelayMs?: number; signal?: AbortSignal }) {
      const askedAt = timeline.now();
      const delayMs = opts?.charDelayMs ?? 0;
      if (delayMs > 0) {
        const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
        for (let i = 0; i < bytes.length; i++) {
          if (i > 0) await sleep(delayMs, opts?.signal);
          await rigHandles.console.write(bytes.subarray(i, i + 1));
        }
      } else {
        await rigHandles.console.write(data);
      }
      const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
      timeline.record('sent', { text });
      model.send({ type: 'SENT', t: timeline.now(), askedAt, detail: text });
    },
    note(key: string, value: string) {
      properties[key] = value;
    },
  };
}
