import { consoleDrivers } from '../drivers/console/registry.js';
import { outputDrivers } from '../drivers/output/registry.js';
import { powerDrivers } from '../drivers/power/registry.js';
import { probeDrivers } from '../drivers/probe/registry.js';
import type { DriverDefinition } from '../protocols/DriverDefinition.js';
import type { Power } from '../protocols/Power.js';
import { outputPower } from './OutputPower.js';

/** The drivers one part of a rig file may name, by `kind`. */
export interface PartDrivers<T> {
  readonly role: string;
  get(kind: string): DriverDefinition<T> | undefined;
  kinds(): string[];
}

/**
 * `power:` is a power driver or, failing that, an output (a relay switching the supply) made into Power by
 * outputPower. Loading, assembling and checking a rig all ask here, so they never disagree about which.
 */
const powerOrOutput: PartDrivers<Power> = {
  role: 'power',
  get(kind) {
    const power = powerDrivers.get(kind);
    if (power) return power;
    const output = outputDrivers.get(kind);
    // The spread keeps the output's rig check (withCheck): checking power checks the relay.
    return output && { ...output, create: (options, ctx) => outputPower(output.create(options, ctx)) };
  },
  kinds: () => [...new Set([...powerDrivers.kinds(), ...outputDrivers.kinds()])],
};

/** Where each part of a rig file finds its driver. */
export const partDrivers = { console: consoleDrivers, power: powerOrOutput, probe: probeDrivers, output: outputDrivers };
