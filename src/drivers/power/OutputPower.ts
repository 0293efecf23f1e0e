import type { DigitalOutput } from '../relay/DigitalOutput.js';
import type { Power, PowerState } from './Power.js';

/** Power switched by any relay or line: on = the output active. Lets every relay kind serve as `power:`. */
export function outputPower(output: DigitalOutput): Power {
  return {
    description: output.description,
    on: () => output.set(true),
    off: () => output.set(false),
    state(): PowerState {
      const level = output.level();
      return level === undefined ? 'unknown' : level ? 'on' : 'off';
    },
    close: () => output.close(),
  };
}
