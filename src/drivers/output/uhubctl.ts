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
  kind: z.literal('uhubctl'),
  ...outputCommon,
  hub: z
    .string()
    .regex(/^\d+-[\d.]+$/, 'expected a hub location such as 1-1 or 2-1.4')
    .describe('Hub location as uhubctl prints it: `1-1`, `2-1.4`.'),
  port: z.number().int().min(1).describe('the hub port, 1-based'),
  timeout: duration.default(10_000).describe('limit for each uhubctl run'),
});
type Options = z.infer<typeof schema>;

/**
 * The port's line in the status uhubctl prints last (after "New status" when it switched), e.g.
 * `  Port 2: 0503 power highspeed enable connect [0483:374b ...]` or `  Port 2: 0000 off`.
 */
export function uhubctlPortPowered(stdout: string, port: number): boolean | undefined {
  const lines = [...stdout.matchAll(new RegExp(`^\\s*Port ${port}: [0-9a-f]{4}\\b(.*)$`, 'gm'))];
  const last = lines.at(-1);
  return last ? !/\boff\b/.test(last[1]!) : undefined;
}

/** USB port power through uhubctl (VBUS of a per-port-switching hub): powers a board fed from that port. */
class UhubctlOutput extends LevelOutput {
  readonly description: string;

  constructor(
    private readonly options: Options,
    ctx: DriverContext,
  ) {
    super(options, ctx);
    this.description = `uhubctl hub ${options.hub} port ${options.port}`;
  }

  async run(action?: 'on' | 'off'): Promise<string> {
    const args = ['-l', this.options.hub, '-p', String(this.options.port), ...(action ? ['-a', action] : [])];
    const { stdout, stderr, exitCode } = await runTool({
      part: this.ctx.part,
      cmd: 'uhubctl',
      args,
      timeoutMs: this.options.timeout,
      timeline: this.ctx.timeline,
      installHint: 'uhubctl (apt-get install uhubctl)',
      reject: false,
    });
    if (exitCode !== 0) {
      // uhubctl says what is wrong first and ends with a generic "Run with -h" line.
      const said = stderr.split('\n').find((l) => l.trim()) ?? `exit ${exitCode}`;
      throw new RigError(this.ctx.part, `uhubctl -l ${this.options.hub} -p ${this.options.port}: ${said.trim()}`, {
        detail: [stdout, stderr].filter(Boolean).join('\n'),
      });
    }
    return stdout;
  }

  protected async write(high: boolean): Promise<void> {
    const stdout = await this.run(high ? 'on' : 'off');
    const powered = uhubctlPortPowered(stdout, this.options.port);
    if (powered !== high) {
      const why = powered === undefined ? 'uhubctl printed no status for it' : `it reads ${powered ? 'on' : 'off'}`;
      throw new RigError(
        this.ctx.part,
        `uhubctl: hub ${this.options.hub} port ${this.options.port} did not switch ${high ? 'on' : 'off'}: ${why}`,
        { detail: stdout },
      );
    }
  }
}

export const uhubctlDriver = withCheck(
  defineDriver({
    kind: 'uhubctl',
    example: '{ kind: uhubctl, hub: 1-1, port: 2, settle: 200ms }',
    description: 'USB hub port power through uhubctl',
    schema,
    create: (options, ctx) => new UhubctlOutput(options, ctx),
    tools: () => [{ tool: 'uhubctl' }],
  }),
  async (options, ctx) => {
    const stdout = await new UhubctlOutput(options, ctx).run();
    const powered = uhubctlPortPowered(stdout, options.port);
    if (powered === undefined) throw new RigError(ctx.part, `uhubctl: hub ${options.hub} has no port ${options.port}`, { detail: stdout });
    return `uhubctl sees hub ${options.hub} port ${options.port} (${powered ? 'on' : 'off'})`;
  },
);
