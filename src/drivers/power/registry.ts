import { DriverRegistry } from '../../protocols/DriverRegistry.js';
import { commandPowerDriver } from './command.js';
import { pduDaemonDriver } from './pdudaemon.js';
import type { Power } from '../../protocols/Power.js';
import { qemuPowerDriver } from './qemu.js';

/** Power drivers by kind: one line per driver file. Relay kinds are added by the rig loader through OutputPower. */
export const powerDrivers = new DriverRegistry<Power>('power');

powerDrivers.add(pduDaemonDriver);
powerDrivers.add(qemuPowerDriver);
powerDrivers.add(commandPowerDriver);
