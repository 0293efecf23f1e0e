import { z } from 'zod';
import { duration } from '../../core/duration.js';
import { RigError } from '../../core/errors.js';
import type { DriverContext } from '../../protocols/DriverContext.js';
import { defineDriver } from '../../protocols/DriverDefinition.js';
import { withCheck } from '../../protocols/DriverCheck.js';
import { outputCommon } from '../../protocols/DigitalOutput.js';
import { LevelOutput } from '../support/LevelOutput.js';
import { sharedSerialLink, type SerialLink } from '../support/SerialLink.js';

/** Numato numbers relays 0-9 then A-V on its 16- and 32-channel boards. */
export function numatoChannel(n: number): string {
  return n < 10 ? String(n) : String.fromCharCode(0x41 + n - 10);
}

const PROMPT = '>';

const schema = z.strictObject({
  kind: z.literal('numato'),
  ...outputCommon,
  path: z.string().describe("The board's CDC port, best by /dev/serial/by-id."),
  channel: z.number().int().min(0).max(31).describe("relay number, 0-based, as the board's relay commands take it"),
  baud: z.number().int().positive().default(19200).describe('line speed'),
  timeout: duration.default(1000).describe('Per command; the board answers in a few ms.'),
});
type Options = z.infer<typeof schema>;

/**
 * A Numato USB relay board: text commands `relay on N` / `relay off N` ended by CR, echoed back and
 * followed by a `>` prompt; every edge is read back with `relay read N` so a stuck relay is caught here.
 */
class NumatoOutput extends LevelOutput {
  readonly description: string;
  private readonly link: SerialLink;

  constructor(
    private readonly options: Options,
    ctx: DriverContext,
  ) {
    super(options, ctx);
    this.link = sharedSerialLink(ctx, options.path, options.baud);
    this.description = `numato ${options.path} relay ${options.channel}`;
  }

  /** Sends one command and returns the board's answer with the echo and prompt removed. */
  command(text: string): Promise<string> {
    return this.link.exclusive(this.ctx.part, () => this.exchange(text));
  }

  private async exchange(text: string): Promise<string> {
    await this.link.open();
    this.link.discard();
    await this.link.write(`${text}\r`);
    const raw = await this.link.readUntil((b) => b.includes(PROMPT), this.options.timeout, `"${text}"`);
    const answer = raw.toString('latin1');
    return answer.slice(0, answer.lastIndexOf(PROMPT)).replace(text, '').trim();
  }

  /** The edge and its read-back as one exchange on the shared port. */
  protected async write(high: boolean): Promise<void> {
    const ch = numatoChannel(this.options.channel);
    const want = high ? 'on' : 'off';
    const got = await this.link.exclusive(this.ctx.part, async () => {
      await this.exchange(`relay ${want} ${ch}`);
      return this.exchange(`relay read ${ch}`);
    });
    if (got !== want) {
      throw new RigError(this.ctx.part, `numato ${this.options.path}: relay ${ch} reads "${got}" after "relay ${want} ${ch}"`, {
        detail: got,
      });
    }
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}

export const numatoDriver = withCheck(
  defineDriver({
    kind: 'numato',
    example:
      '{ kind: numato, path: /dev/serial/by-id/usb-Numato_Systems_Pvt._Ltd._Numato_Lab_8_Channel_USB_Relay_Module-if00, channel: 0 }',
    description: 'Numato USB relay board (text protocol over USB serial, read back after each edge)',
    schema,
    create: (options, ctx) => new NumatoOutput(options, ctx),
  }),
  // The port opens and the board answers `ver`; no relay moves.
  async (options, ctx) => {
    const out = new NumatoOutput(options, ctx);
    try {
      const version = await out.command('ver');
      return `numato on ${options.path} answers (version ${version || '?'})`;
    } finally {
      await out.close();
    }
  },
);
