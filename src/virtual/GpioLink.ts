import { connect as connectSocket, type Socket } from 'node:net';
import { formatDuration } from '../core/duration.js';
import { RigError } from '../core/errors.js';
import type { QemuChardev } from './qemuChardevs.js';
import { chardevId } from './qemuCommand.js';
import type { QemuInstance } from './QemuInstance.js';

/** `connectGpio` started now and kept for the next power-on; its failure is reported there. */
export function linkGpio(instance: QemuInstance, part: string, startTimeout: number): Promise<Socket> | undefined {
  if (!instance.paths.gpioSocket) return undefined;
  const link = connectGpio(instance, part, startTimeout);
  link.catch(() => undefined);
  return link;
}

/** A GPIO link made ahead and not used: QEMU holds it until it is closed. */
export function dropGpioLink(instance: QemuInstance): void {
  const link = instance.gpioLink;
  instance.gpioLink = undefined;
  void link?.then(
    (socket) => socket.destroy(),
    () => undefined,
  );
}

/**
 * A new connection to QEMU's GPIO UART socket, once QEMU has dropped the previous one (and the bytes it held):
 * QEMU serves one connection at a time and says in `query-chardev` whether it has one.
 */
async function connectGpio(instance: QemuInstance, part: string, startTimeout: number): Promise<Socket> {
  const connected = async () => {
    const chardevs = await instance.qmp!.execute<QemuChardev[]>('query-chardev');
    return !chardevs.find((c) => c.label === chardevId.gpio)?.filename.startsWith('disconnected:');
  };
  const until = async (want: boolean, what: string) => {
    const end = performance.now() + startTimeout;
    while ((await connected()) !== want) {
      if (performance.now() > end) throw new RigError(part, `QEMU's GPIO UART socket ${what} within ${formatDuration(startTimeout)}`);
      await new Promise((r) => setImmediate(r));
    }
  };
  await until(false, 'kept its previous connection');
  const socket = await new Promise<Socket>((resolveSocket, reject) => {
    const s = connectSocket(instance.paths.gpioSocket!);
    s.once('connect', () => resolveSocket(s));
    s.once('error', (err) => reject(new RigError(part, `cannot connect to QEMU's GPIO UART socket: ${err.message}`, { cause: err })));
  });
  try {
    await until(true, 'did not take the connection');
  } catch (err) {
    socket.destroy();
    throw err;
  }
  return socket;
}
