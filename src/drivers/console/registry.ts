import { DriverRegistry } from '../registry.js';
import type { Console } from './Console.js';
import { serialConsoleDriver } from './SerialConsole.js';
import { tcpConsoleDriver } from './TcpConsole.js';
import { qemuConsoleDriver } from '../../virtual/QemuConsole.js';

/** Console drivers by kind: one line per driver file. */
export const consoleDrivers = new DriverRegistry<Console>('console')
  .add(serialConsoleDriver)
  .add(tcpConsoleDriver)
  .add(qemuConsoleDriver);
