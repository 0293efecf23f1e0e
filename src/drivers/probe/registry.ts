import { DriverRegistry } from '../../protocols/DriverRegistry.js';
import { gdbDriver } from './gdb.js';
import { openocdDriver } from './openocd.js';
import type { Probe } from '../../protocols/Probe.js';
import { pyocdDriver } from './pyocd.js';
import { stm32cubeprogDriver } from './stm32cubeprog.js';
import { qemuProbeDriver } from './qemu.js';

/** Probe drivers by kind: one line per driver file. */
export const probeDrivers = new DriverRegistry<Probe>('probe');

probeDrivers.add(openocdDriver).add(pyocdDriver).add(gdbDriver).add(stm32cubeprogDriver);
probeDrivers.add(qemuProbeDriver);
