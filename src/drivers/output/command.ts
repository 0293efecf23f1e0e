import { z } from 'zod';
import { duration } from '../../core/duration.js';
import { withCheck } from '../../protocols/DriverCheck.js';
import { checkCommandsExist, runTool } from '../../core/exec.js';
import type { DriverContext } from '../../protocols/DriverContext.js';
import { defineDriver } from '../../protocols/DriverDefinition.js';
import { outputCommon } from '../../protocols/DigitalOutput.js';
import { LevelOutput } from '../support/LevelOutput.js';

const LEVEL = '{level}';

const schema = z
  .strictObject({
    kind: z.literal('command'),
    ...outputCommon,
    set: z.string().min(1).optional().describe('One command for both edges: `{level}` becomes 1 (line high, relay energised) or 0.'),
    on: z
      .string()
      .min(1)
      .optional()
      .describe('Or one command per edge: `on` drives the line high / energises the relay, `off` the opposite.'),
    off: z.string().min(1).optional().describe('with `on`: the command that drives the line low / releases the relay'),
    timeout: duration.default(10_000).describe('limit for each command; it is killed with its children when it passes'),
  })
  .refine((o) => (o.set !== undefined) !== (o.on !== undefined || o.off !== undefined), {
    message: 'give either `set` (with {level}) or both `on` and `off`',
  })
  .refine((o) => o.set === undefined || o.set.includes(LEVEL), { message: '`set` must contain {level}', path: ['set'] })
  .refine((o) => o.set !== undefined || (o.on !== undefined && o.off !== undefined), {
    message: 'give both `on` and `off`',
    path: ['off'],
  });
type Options = z.infer<typeof schema>;

/** The shell command that drives the line to `high`. */
export function commandFor(options: Pick<Options, 'set' | 'on' | 'off'>, high: boolean): string {
  if (options.set !== undefined) return options.set.replaceAll(LEVEL, high ? '1' : '0');
  return (high ? options.on : options.off)!;
}

/**
 * A button, boot-mode pin or relay driven by the user's own shell commands. The commands set the physical
 * level; `active: low` (wiring) decides which level "pressed" is, as for every other output kind.
 */
class CommandOutput extends LevelOutput {
  readonly description: string;

  constructor(
    private readonly options: Options,
    ctx: DriverContext,
  ) {
    super(options, ctx);
    this.description =
      options.set !== undefined ? `command output (${options.set})` : `command output (on: ${options.on}; off: ${options.off})`;
  }

  protected async write(high: boolean): Promise<void> {
    await runTool({
      part: this.ctx.part,
      cmd: commandFor(this.options, high),
      shell: true,
      timeoutMs: this.options.timeout,
      cwd: this.ctx.rigDir,
      timeline: this.ctx.timeline,
    });
  }
}

export const commandOutputDriver = withCheck(
  defineDriver({
    kind: 'command',
    example: "{ kind: command, set: 'gpioset -m time -s 1 gpiochip0 17={level}' }",
    description: 'your own shell commands drive the line: `set` with {level}, or `on` and `off`',
    schema,
    create: (options, ctx) => new CommandOutput(options, ctx),
  }),
  // Running a command would press the button or flip the pin: only check that its programs exist.
  async (options, ctx) => {
    await checkCommandsExist([commandFor(options, true), commandFor(options, false)], {
      part: ctx.part,
      cwd: ctx.rigDir,
      timeline: ctx.timeline,
      timeoutMs: options.timeout,
    });
    return 'commands found on PATH (not run: they would change the line)';
  },
);
