import { DriverRegistry } from '../registry.js';
import type { Console } from './Console.js';

/** Console drivers by kind: one line per driver file. */
export const consoleDrivers = new DriverRegistry<Console>('console');
