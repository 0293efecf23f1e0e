import type { DigitalOutput } from '../protocols/DigitalOutput.js';
import type { Power, PowerState } from '../protocols/Power.js';

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
