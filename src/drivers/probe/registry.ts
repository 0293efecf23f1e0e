import { DriverRegistry } from '../registry.js';
import type { Probe } from './Probe.js';

/** Probe drivers by kind: one line per driver file. */
export const probeDrivers = new DriverRegistry<Probe>('probe');
