import { DriverRegistry } from '../../protocols/DriverRegistry.js';
import type { Console } from '../../protocols/Console.js';
import { serialConsoleDriver } from './serial.js';
import { tcpConsoleDriver } from './tcp.js';
import { qemuConsoleDriver } from './qemu.js';

/** Console drivers by kind: one line per driver file. */
export const consoleDrivers = new DriverRegistry<Console>('console').add(serialConsoleDriver).add(tcpConsoleDriver).add(qemuConsoleDriver);
