import { z } from 'zod';
import { duration } from '../../core/duration.js';
import { RigError } from '../../core/errors.js';
import { withCheck } from '../../protocols/DriverCheck.js';
import { sleep } from '../../core/sleep.js';
import type { DriverContext } from '../../protocols/DriverContext.js';
import { defineDriver } from '../../protocols/DriverDefinition.js';
import type { Power, PowerState } from '../../protocols/Power.js';

const schema = z.strictObject({
  kind: z.literal('pdudaemon'),
  host: z.string().default('127.0.0.1').describe("Where pdudaemon's HTTP listener runs."),
  port: z.number().int().min(1).max(65535).default(16421).describe('its port'),
  pdu: z.string().describe("The PDU's name in pdudaemon's configuration."),
  outlet: z.union([z.number().int(), z.string()]).describe('Outlet number on that PDU.'),
  settle: duration.optional().describe('time the supply needs after a switch, waited after each one'),
  timeout: duration.default(10_000).describe('limit for each request'),
});
type Options = z.infer<typeof schema>;

/** `http://host:port/power/control/on?hostname=PDU&port=N`, the request pdudaemon's HTTP listener takes. */
export function pduDaemonUrl(options: Pick<Options, 'host' | 'port' | 'pdu' | 'outlet'>, action: 'on' | 'off' | 'reboot'): string {
  const query = new URLSearchParams({ hostname: options.pdu, port: String(options.outlet) });
  return `http://${options.host}:${options.port}/power/control/${action}?${query.toString()}`;
}

/**
 * Board power through a pdudaemon server (the LAVA PDU daemon), which owns the PDU and serialises requests to it.
 * pdudaemon queues the request and answers at once, so a settle time covers the outlet actually switching.
 */
class PduDaemonPower implements Power {
  readonly description: string;
  private current: PowerState = 'unknown';

  constructor(
    private readonly options: Options,
    private readonly ctx: DriverContext,
  ) {
    this.description = `pdudaemon ${options.pdu} outlet ${options.outlet} via ${options.host}:${options.port}`;
  }

  private async request(action: 'on' | 'off'): Promise<void> {
    const url = pduDaemonUrl(this.options, action);
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.options.timeout) });
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      throw new RigError(this.ctx.part, `pdudaemon at ${this.options.host}:${this.options.port} unreachable: ${cause}`, {
        detail: url,
        cause: err,
      });
    }
    const body = (await response.text()).trim();
    if (!response.ok) {
      throw new RigError(
        this.ctx.part,
        `pdudaemon refused ${action} for ${this.options.pdu} outlet ${this.options.outlet}: HTTP ${response.status}${body ? ` ${body.split('\n')[0]}` : ''}`,
        {
          detail: body || undefined,
        },
      );
    }
    this.ctx.timeline.record('pdudaemon', { part: this.ctx.part, action, url, status: response.status });
    if (this.options.settle) await sleep(this.options.settle);
  }

  async on(): Promise<void> {
    await this.request('on');
    this.current = 'on';
  }

  async off(): Promise<void> {
    await this.request('off');
    this.current = 'off';
  }

  state(): PowerState {
    return this.current;
  }

  async close(): Promise<void> {}
}

export const pduDaemonDriver = withCheck(
  defineDriver({
    kind: 'pdudaemon',
    example: '{ kind: pdudaemon, pdu: lab-pdu-1, outlet: 3, settle: 500ms }',
    description: 'PDU outlet through a pdudaemon HTTP listener',
    schema,
    create: (options, ctx) => new PduDaemonPower(options, ctx),
  }),
  // Any HTTP answer proves the daemon listens; asking it to switch would change the board's power.
  async (options, ctx) => {
    const url = `http://${options.host}:${options.port}/`;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(options.timeout) });
      await response.body?.cancel();
      return `pdudaemon answers at ${options.host}:${options.port} (HTTP ${response.status})`;
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      throw new RigError(ctx.part, `pdudaemon at ${options.host}:${options.port} unreachable: ${cause}`, { cause: err });
    }
  },
);
