import { z } from 'zod';
import { duration } from '../../config/duration.js';
import { runTool } from '../../run/exec.js';
import { defineDriver } from '../DriverDefinition.js';
import type { DriverContext } from '../DriverContext.js';
import type { Power, PowerState } from './Power.js';

/**
 * Power through the user's own shell commands, as LAVA's power_on_command: any relay, PDU or bench supply
 * with a command-line tool works on day one. A command that fails or hangs is a rig error with its output.
 */
class CommandPower implements Power {
  readonly description: string;
  private current: PowerState = 'unknown';

  constructor(private readonly options: { on: string; off: string; timeout: number }, private readonly ctx: DriverContext) {
    this.description = `command power (${options.on} / ${options.off})`;
  }

  async on(): Promise<void> {
    await this.run(this.options.on);
    this.current = 'on';
  }

  async off(): Promise<void> {
    await this.run(this.options.off);
    this.current = 'off';
  }

  state(): PowerState {
    return this.current;
  }

  async close(): Promise<void> {}

  private async run(command: string): Promise<void> {
    await runTool({ part: this.ctx.part, cmd: command, shell: true, timeoutMs: this.options.timeout, cwd: this.ctx.rigDir, timeline: this.ctx.timeline });
  }
}

export const commandPowerDriver = defineDriver({
  kind: 'command',
  description: 'your own shell commands switch power on and off',
  schema: z.strictObject({
    kind: z.literal('command'),
    on: z.string().min(1),
    off: z.string().min(1),
    timeout: duration.default(10_000),
  }),
  create: (options, ctx) => new CommandPower(options, ctx),
});
