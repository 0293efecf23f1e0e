import { DriverRegistry } from '../registry.js';
import { commandPowerDriver } from './CommandPower.js';
import { pduDaemonDriver } from './PduDaemonPower.js';
import type { Power } from './Power.js';
import { qemuPowerDriver } from '../../virtual/QemuPower.js';

/** Power drivers by kind: one line per driver file. Relay kinds are added by the rig loader through OutputPower. */
export const powerDrivers = new DriverRegistry<Power>('power');

powerDrivers.add(pduDaemonDriver);
powerDrivers.add(qemuPowerDriver);
powerDrivers.add(commandPowerDriver);
