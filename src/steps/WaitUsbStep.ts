import { z } from 'zod';
import { duration } from '../core/duration.js';
import { formatUsbId, parseUsbId, waitUsb } from '../drivers/usb/waitUsb.js';
import { defineStep } from './Step.js';

const usbId = z.string().transform((text, ctx) => {
  const id = parseUsbId(text);
  if (!id) {
    ctx.addIssue({ code: 'custom', message: `expected a USB VID:PID such as 0483:df11, got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return id;
});

/** `wait-usb: 0483:df11` or `{ id: 0483:df11, serial: ..., timeout: 20s }`: blocks until the device enumerates (STM32MP1 ROM DFU). */
export const waitUsbStep = defineStep({
  key: 'wait-usb',
  example: `- wait-usb: 0483:df11
- wait-usb: { id: 0483:df11, timeout: 30s }`,
  description: 'wait for a USB device (VID:PID) to enumerate on the rig host',
  schema: z.union([
    usbId
      .transform((id) => ({ id, serial: undefined as string | undefined, timeoutMs: undefined as number | undefined }))
      .describe("the device's VID:PID (`0483:df11`)"),
    z
      .strictObject({
        id: usbId.describe("the device's VID:PID"),
        serial: z.string().optional().describe('its USB serial number, when several such devices may be attached'),
        timeout: duration.optional().describe('how long to wait (default 20s)'),
      })
      .transform((v) => ({ id: v.id, serial: v.serial, timeoutMs: v.timeout })),
  ]),
  timeoutMs: (args) => args.timeoutMs ?? 20_000,
  describe: (args) => `wait for USB ${formatUsbId(args.id)}`,
  async run(args, ctx) {
    const device = await waitUsb(args.id, { timeoutMs: ctx.timeoutMs, serial: args.serial, signal: ctx.signal, part: 'usb' });
    ctx.timeline.record('usb', { id: formatUsbId(args.id), device: device.name, serial: device.serial });
  },
});
