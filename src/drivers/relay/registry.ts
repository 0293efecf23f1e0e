import { DriverRegistry } from '../registry.js';
import { commandOutputDriver } from './CommandOutput.js';
import type { DigitalOutput } from './DigitalOutput.js';
import { gpiodDriver } from './gpiod.js';
import { lcusDriver } from './lcus.js';
import { numatoDriver } from './numato.js';
import { uhubctlDriver } from './uhubctl.js';
import { usbrelayDriver } from './usbrelay.js';
import { qemuOutputDriver } from '../../virtual/QemuOutput.js';

/** Relay and line drivers by kind: one line per driver file. Each also serves as a power driver. */
export const relayDrivers = new DriverRegistry<DigitalOutput>('output');

relayDrivers.add(usbrelayDriver).add(numatoDriver).add(lcusDriver).add(gpiodDriver).add(uhubctlDriver);
relayDrivers.add(qemuOutputDriver);
relayDrivers.add(commandOutputDriver);
