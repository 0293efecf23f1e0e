import { z } from 'zod';
import { duration } from '../../config/duration.js';
import { runTool } from '../../run/exec.js';
import { sleep } from '../../run/sleep.js';
import { defineDriver } from '../DriverDefinition.js';
import type { DriverContext } from '../DriverContext.js';
import type { DigitalOutput } from './DigitalOutput.js';

/** A named output driven by the user's own shell commands: `on` when it becomes active, `off` when not. */
class CommandOutput implements DigitalOutput {
  readonly description: string;
  private current: boolean | undefined;

  constructor(private readonly options: { on: string; off: string; timeout: number; settle?: number }, private readonly ctx: DriverContext) {
    this.description = `command output (${options.on} / ${options.off})`;
  }

  async set(active: boolean): Promise<void> {
    const command = active ? this.options.on : this.options.off;
    await runTool({ part: this.ctx.part, cmd: command, shell: true, timeoutMs: this.options.timeout, cwd: this.ctx.rigDir, timeline: this.ctx.timeline });
    this.current = active;
    if (this.options.settle) await sleep(this.options.settle);
  }

  level(): boolean | undefined {
    return this.current;
  }

  async close(): Promise<void> {}
}

export const commandOutputDriver = defineDriver({
  kind: 'command',
  description: 'your own shell commands set a line active or inactive',
  schema: z.strictObject({
    kind: z.literal('command'),
    on: z.string().min(1),
    off: z.string().min(1),
    timeout: duration.default(10_000),
    settle: duration.optional(),
  }),
  create: (options, ctx) => new CommandOutput(options, ctx),
});
