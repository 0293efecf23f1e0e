import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RigError } from '../../../src/core/errors.js';
import { listUsbDevices, parseUsbId, waitUsb } from '../../../src/drivers/usb/waitUsb.js';

let root: string;

async function plug(name: string, attrs: Record<string, string>) {
  await mkdir(join(root, name), { recursive: true });
  for (const [k, v] of Object.entries(attrs)) await writeFile(join(root, name, k), `${v}\n`);
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'hil-sysfs-'));
  await plug('usb1', { idVendor: '1d6b', idProduct: '0002', product: 'EHCI Host Controller' });
  await plug('1-1:1.0', { bInterfaceClass: '02' });
  await plug('1-1', { idVendor: '0483', idProduct: '374b', product: 'STM32 STLink', serial: '066DFF' });
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('waitUsb', () => {
  it('parses VID:PID', () => {
    expect(parseUsbId('0483:df11')).toEqual({ vendor: 0x0483, product: 0xdf11 });
    expect(parseUsbId('483:df11')).toBeUndefined();
  });

  it('lists devices and skips interfaces', async () => {
    const names = (await listUsbDevices(root)).map((d) => d.name).sort();
    expect(names).toEqual(['1-1', 'usb1']);
  });

  it('returns once the device enumerates', async () => {
    const t0 = performance.now();
    setTimeout(
      () => void plug('3-1', { idVendor: '0483', idProduct: 'df11', product: 'DFU in HS Mode', serial: '004200343338510534383330' }),
      150,
    );
    const dev = await waitUsb({ vendor: 0x0483, product: 0xdf11 }, { root, timeoutMs: 3000, pollMs: 20 });
    expect(dev).toMatchObject({ name: '3-1', serial: '004200343338510534383330' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('honours a serial number', async () => {
    await plug('3-2', { idVendor: '0483', idProduct: 'df11', serial: 'AAAA' });
    await expect(waitUsb({ vendor: 0x0483, product: 0xdf11 }, { root, timeoutMs: 100, pollMs: 20, serial: 'BBBB' })).rejects.toThrow(
      '0483:df11 serial BBBB',
    );
  });

  it('fails with a RigError naming the VID:PID and what is present', async () => {
    const err = await waitUsb({ vendor: 0x0483, product: 0xdf11 }, { root, timeoutMs: 120, pollMs: 20, part: 'wait-usb' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RigError);
    expect((err as RigError).part).toBe('wait-usb');
    expect((err as RigError).message).toBe('USB device 0483:df11 did not enumerate within 120ms');
    expect((err as RigError).detail).toContain('0483:374b (STM32 STLink)');
  });
});
