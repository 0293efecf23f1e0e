import { z } from 'zod';
import { withCheck } from '../../protocols/DriverCheck.js';
import type { DriverContext } from '../../protocols/DriverContext.js';
import { defineDriver } from '../../protocols/DriverDefinition.js';
import { outputCommon } from '../../protocols/DigitalOutput.js';
import { LevelOutput } from '../support/LevelOutput.js';
import { SerialLink, sharedSerialLink } from '../support/SerialLink.js';

/** The LCUS frame: start byte 0xA0, channel (1-based), state (1 = on), and the low byte of their sum. */
export function lcusFrame(channel: number, on: boolean): Buffer {
  const state = on ? 1 : 0;
  return Buffer.from([0xa0, channel, state, (0xa0 + channel + state) & 0xff]);
}

const schema = z.strictObject({
  kind: z.literal('lcus'),
  ...outputCommon,
  path: z.string().describe("the board's USB-serial port, best by /dev/serial/by-id"),
  channel: z.number().int().min(1).max(8).default(1).describe('1-based, as printed on the board.'),
  baud: z.number().int().positive().default(9600).describe('line speed'),
});
type Options = z.infer<typeof schema>;

/**
 * LCUS-type relay boards behind a CH340 USB-serial chip. They take 4-byte frames and answer nothing, so an
 * edge is proven only by the frame leaving the port; the settle time covers the contact closing.
 */
class LcusOutput extends LevelOutput {
  readonly description: string;
  private readonly link: SerialLink;

  constructor(
    private readonly options: Options,
    ctx: DriverContext,
  ) {
    super(options, ctx);
    this.link = sharedSerialLink(ctx, options.path, options.baud);
    this.description = `lcus ${options.path} relay ${options.channel}`;
  }

  protected async write(high: boolean): Promise<void> {
    await this.link.exclusive(this.ctx.part, async () => {
      await this.link.open();
      await this.link.write(lcusFrame(this.options.channel, high));
    });
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}

export const lcusDriver = withCheck(
  defineDriver({
    kind: 'lcus',
    example: '{ kind: lcus, path: /dev/serial/by-id/usb-1a86_USB_Serial-if00-port0, channel: 1, settle: 20ms }',
    description: 'LCUS CH340 relay board (binary frames A0 ch state sum)',
    schema,
    create: (options, ctx) => new LcusOutput(options, ctx),
  }),
  // The board never answers: the check can only prove the port opens.
  async (options, ctx) => {
    const link = new SerialLink(ctx.part, options.path, options.baud);
    await link.open();
    await link.close();
    return `${options.path} opens (LCUS boards do not answer; the relay itself is not proven)`;
  },
);
