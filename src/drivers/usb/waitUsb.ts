import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RigError } from '../../core/errors.js';
import { sleep } from '../../core/sleep.js';

export interface UsbId {
  vendor: number;
  product: number;
}

export interface UsbDevice extends UsbId {
  /** sysfs name, e.g. `3-1.2`: bus 3, port path 1.2. */
  name: string;
  serial?: string;
  productName?: string;
}

export interface WaitUsbOptions {
  timeoutMs: number;
  /** Serial number to require when several boards of one kind are attached. */
  serial?: string;
  /** sysfs device directory; a test points it at a fake tree. */
  root?: string;
  pollMs?: number;
  signal?: AbortSignal;
  /** Part named in the error, e.g. `steps[2].wait-usb`. */
  part?: string;
}

const SYSFS_USB = '/sys/bus/usb/devices';

/** `0483:df11` → { vendor: 0x0483, product: 0xdf11 }; undefined when it is not a VID:PID. */
export function parseUsbId(text: string): UsbId | undefined {
  const m = /^\s*([0-9a-f]{4}):([0-9a-f]{4})\s*$/i.exec(text);
  return m ? { vendor: parseInt(m[1]!, 16), product: parseInt(m[2]!, 16) } : undefined;
}

export function formatUsbId(id: UsbId): string {
  const h = (n: number) => n.toString(16).padStart(4, '0');
  return `${h(id.vendor)}:${h(id.product)}`;
}

async function attribute(dir: string, name: string): Promise<string | undefined> {
  try {
    return (await readFile(join(dir, name), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** USB devices present now, from sysfs (interfaces such as `3-1:1.0` have no idVendor and are skipped). */
export async function listUsbDevices(root: string = SYSFS_USB): Promise<UsbDevice[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const devices: UsbDevice[] = [];
  for (const name of names) {
    const dir = join(root, name);
    const [vid, pid] = await Promise.all([attribute(dir, 'idVendor'), attribute(dir, 'idProduct')]);
    if (vid === undefined || pid === undefined) continue;
    const id = parseUsbId(`${vid}:${pid}`);
    if (!id) continue;
    const [serial, product] = await Promise.all([attribute(dir, 'serial'), attribute(dir, 'product')]);
    devices.push({ name, ...id, serial, productName: product });
  }
  return devices;
}

/**
 * Waits until a device with this VID:PID enumerates (the STM32MP1 ROM in DFU mode is 0483:df11) and returns it.
 * A board that never shows up is the rig's fault (boot pins, cable, hub power): a RigError naming the VID:PID.
 */
export async function waitUsb(id: UsbId, options: WaitUsbOptions): Promise<UsbDevice> {
  const root = options.root ?? SYSFS_USB;
  const deadline = performance.now() + options.timeoutMs;
  const matches = (d: UsbDevice) =>
    d.vendor === id.vendor && d.product === id.product && (options.serial === undefined || d.serial === options.serial);
  for (;;) {
    const found = (await listUsbDevices(root)).find(matches);
    if (found) return found;
    const left = deadline - performance.now();
    if (left <= 0) break;
    await sleep(Math.min(options.pollMs ?? 100, left), options.signal);
  }
  const want = formatUsbId(id) + (options.serial ? ` serial ${options.serial}` : '');
  const present = (await listUsbDevices(root)).map((d) => formatUsbId(d) + (d.productName ? ` (${d.productName})` : ''));
  throw new RigError(options.part ?? 'usb', `USB device ${want} did not enumerate within ${options.timeoutMs}ms`, {
    detail: present.length ? `present in ${root}:\n${present.join('\n')}` : `no USB devices in ${root}`,
  });
}
