import { DriverRegistry } from '../../protocols/DriverRegistry.js';
import { commandOutputDriver } from './command.js';
import type { DigitalOutput } from '../../protocols/DigitalOutput.js';
import { gpiodDriver } from './gpiod.js';
import { lcusDriver } from './lcus.js';
import { numatoDriver } from './numato.js';
import { uhubctlDriver } from './uhubctl.js';
import { usbrelayDriver } from './usbrelay.js';
import { qemuOutputDriver } from './qemu.js';

/** Relay and line drivers by kind: one line per driver file. Each also serves as a power driver. */
export const outputDrivers = new DriverRegistry<DigitalOutput>('output');

outputDrivers.add(usbrelayDriver).add(numatoDriver).add(lcusDriver).add(gpiodDriver).add(uhubctlDriver);
outputDrivers.add(qemuOutputDriver);
outputDrivers.add(commandOutputDriver);
