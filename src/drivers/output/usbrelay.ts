import { z } from 'zod';
import { duration } from '../../core/duration.js';
import { RigError } from '../../core/errors.js';
import { withCheck } from '../../protocols/DriverCheck.js';
import { runTool } from '../../core/exec.js';
import type { DriverContext } from '../../protocols/DriverContext.js';
import { defineDriver } from '../../protocols/DriverDefinition.js';
import { outputCommon } from '../../protocols/DigitalOutput.js';
import { LevelOutput } from '../support/LevelOutput.js';

const schema = z.strictObject({
  kind: z.literal('usbrelay'),
  ...outputCommon,
  relay: z
    .string()
    .regex(/^\w+_\d+$/, 'expected SERIAL_N as usbrelay lists it, e.g. HURTM_1')
    .describe('As `usbrelay` lists it: board serial, underscore, 1-based relay number (`HURTM_1`).'),
  timeout: duration.default(5000).describe('limit for each usbrelay run'),
});
type Options = z.infer<typeof schema>;

/** `usbrelay` prints one `SERIAL_N=state` line per relay of every HID relay board attached. */
export function parseUsbrelayList(stdout: string): Map<string, boolean> {
  const relays = new Map<string, boolean>();
  for (const m of stdout.matchAll(/^(\w+_\d+)=([01])\s*$/gm)) relays.set(m[1]!, m[2] === '1');
  return relays;
}

/**
 * HID relay boards (dcttech / ucreatefun) through the `usbrelay` CLI. usbrelay 1.0 exits 0 even when no board
 * matches, so every edge is followed by a listing, run with `-d` so its "Found N devices" line explains a miss.
 */
class UsbrelayOutput extends LevelOutput {
  readonly description: string;

  constructor(
    private readonly options: Options,
    ctx: DriverContext,
  ) {
    super(options, ctx);
    this.description = `usbrelay ${options.relay}`;
  }

  private usbrelay(args: string[]) {
    return runTool({
      part: this.ctx.part,
      cmd: 'usbrelay',
      args,
      timeoutMs: this.options.timeout,
      timeline: this.ctx.timeline,
      installHint: 'usbrelay (apt-get install usbrelay)',
    });
  }

  /** The relay's state as the board reports it; a RigError with usbrelay's own words when it is absent. */
  async read(): Promise<boolean> {
    const { stdout, stderr } = await this.usbrelay(['-d']);
    const state = parseUsbrelayList(stdout).get(this.options.relay);
    if (state === undefined) {
      const found = /Found \d+ devices?/.exec(stderr)?.[0];
      const listed = [...parseUsbrelayList(stdout).keys()].join(', ');
      throw new RigError(
        this.ctx.part,
        `usbrelay: relay ${this.options.relay} not found${found ? `: usbrelay says "${found}"` : ''}${listed ? `; relays present: ${listed}` : ''}`,
        {
          detail: [stdout, stderr].filter(Boolean).join('\n'),
        },
      );
    }
    return state;
  }

  protected async write(high: boolean): Promise<void> {
    await this.usbrelay([`${this.options.relay}=${high ? 1 : 0}`]);
    const state = await this.read();
    if (state !== high)
      throw new RigError(this.ctx.part, `usbrelay: relay ${this.options.relay} reads ${state ? 1 : 0} after setting ${high ? 1 : 0}`);
  }
}

export const usbrelayDriver = withCheck(
  defineDriver({
    kind: 'usbrelay',
    example: '{ kind: usbrelay, relay: HURTM_1, settle: 100ms }',
    description: 'HID USB relay board through the usbrelay CLI (read back after each edge)',
    schema,
    create: (options, ctx) => new UsbrelayOutput(options, ctx),
    tools: () => [{ tool: 'usbrelay' }],
  }),
  async (options, ctx) => {
    const on = await new UsbrelayOutput(options, ctx).read();
    return `usbrelay lists ${options.relay} (${on ? 'on' : 'off'})`;
  },
);
