import { z } from 'zod';
import { duration } from '../../core/duration.js';
import { RigError } from '../../core/errors.js';
import { withCheck } from '../../protocols/DriverCheck.js';
import { checkCommandsExist, lastMeaningfulLine, runTool } from '../../core/exec.js';
import type { DriverContext } from '../../protocols/DriverContext.js';
import { defineDriver } from '../../protocols/DriverDefinition.js';
import type { Power, PowerState } from '../../protocols/Power.js';

const schema = z.strictObject({
  kind: z.literal('command'),
  on: z.string().min(1).describe("Shell command that powers the board (run by /bin/sh in the rig file's directory)."),
  off: z.string().min(1).describe("shell command that cuts the board's power"),
  status: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Optional shell command that exits 0 when the board is powered and 1 when it is not: run after each switch to prove it happened.',
    ),
  timeout: duration.default(10_000).describe('Limit for each command; it is killed with its children when it passes.'),
});
type Options = z.infer<typeof schema>;

/**
 * Power through the user's own shell commands, as LAVA's power_on_command: any relay, PDU or bench supply with
 * a command-line tool works on day one. A command that fails or hangs is a rig error carrying its output; with a
 * `status` command, a switch that did not happen is one too (many relay tools exit 0 whatever happened).
 */
class CommandPower implements Power {
  readonly description: string;
  private current: PowerState = 'unknown';

  constructor(
    private readonly options: Options,
    private readonly ctx: DriverContext,
  ) {
    this.description = `command power (on: ${options.on}; off: ${options.off})`;
  }

  async on(): Promise<void> {
    await this.switchTo('on', this.options.on);
  }

  async off(): Promise<void> {
    await this.switchTo('off', this.options.off);
  }

  state(): PowerState {
    return this.current;
  }

  async close(): Promise<void> {}

  /** What the status command says, or undefined without one. */
  async status(): Promise<'on' | 'off' | undefined> {
    if (!this.options.status) return undefined;
    return readStatus(this.options, this.ctx);
  }

  private async switchTo(state: 'on' | 'off', command: string): Promise<void> {
    // Until the command has proved it worked, nobody knows what the board's power is.
    this.current = 'unknown';
    await runTool({
      part: this.ctx.part,
      cmd: command,
      shell: true,
      timeoutMs: this.options.timeout,
      cwd: this.ctx.rigDir,
      timeline: this.ctx.timeline,
    });
    const reported = await this.status();
    if (reported !== undefined && reported !== state) {
      throw new RigError(this.ctx.part, `power ${state} command succeeded but the status command says ${reported}`, {
        detail: `${state}: ${command}\nstatus: ${this.options.status}`,
      });
    }
    this.current = state;
  }
}

async function readStatus(options: Options, ctx: DriverContext): Promise<'on' | 'off'> {
  const { exitCode, stdout, stderr } = await runTool({
    part: ctx.part,
    cmd: options.status!,
    shell: true,
    timeoutMs: options.timeout,
    cwd: ctx.rigDir,
    timeline: ctx.timeline,
    reject: false,
  });
  if (exitCode === 0) return 'on';
  if (exitCode === 1) return 'off';
  const line = lastMeaningfulLine(stderr) ?? lastMeaningfulLine(stdout);
  throw new RigError(ctx.part, `power status command failed (exit ${exitCode}; expected 0 for on, 1 for off)${line ? `: ${line}` : ''}`, {
    detail: [stdout, stderr].filter(Boolean).join('\n') || undefined,
  });
}

export const commandPowerDriver = withCheck(
  defineDriver({
    kind: 'command',
    example: "{ kind: command, on: 'pdu-ctl 3 on', off: 'pdu-ctl 3 off', status: 'pdu-ctl 3 status' }",
    description: 'your own shell commands switch power on and off (optional status command verifies each switch)',
    schema,
    create: (options, ctx) => new CommandPower(options, ctx),
  }),
  // Switching would change the board's state: check the status if there is one, else that the tools exist.
  async (options, ctx) => {
    if (options.status) return `status command says power is ${await readStatus(options, ctx)}`;
    await checkCommandsExist([options.on, options.off], {
      part: ctx.part,
      cwd: ctx.rigDir,
      timeline: ctx.timeline,
      timeoutMs: options.timeout,
    });
    return 'on/off commands found on PATH (not run: they would switch the board)';
  },
);
