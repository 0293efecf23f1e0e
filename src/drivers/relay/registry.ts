import { DriverRegistry } from '../registry.js';
import type { DigitalOutput } from './DigitalOutput.js';

/** Relay and line drivers by kind: one line per driver file. Each also serves as a power driver. */
export const relayDrivers = new DriverRegistry<DigitalOutput>('output');
