import { execa, type ResultPromise } from 'execa';
import { z } from 'zod';
import { duration } from '../../core/duration.js';
import { RigError } from '../../core/errors.js';
import { withCheck } from '../../protocols/DriverCheck.js';
import { runTool } from '../../core/exec.js';
import { sleep } from '../../core/sleep.js';
import type { DriverContext } from '../../protocols/DriverContext.js';
import { defineDriver } from '../../protocols/DriverDefinition.js';
import { outputCommon } from '../../protocols/DigitalOutput.js';
import { LevelOutput } from '../support/LevelOutput.js';

const schema = z.strictObject({
  kind: z.literal('gpiod'),
  ...outputCommon,
  chip: z.string().default('gpiochip0').describe('the GPIO chip, as gpiodetect lists it'),
  line: z.union([z.number().int().min(0), z.string()]).describe('Line offset on the chip, or its name (`GPIO17`).'),
  startup: duration
    .default(200)
    .describe('How long gpioset must stay up before the edge counts as taken (it fails fast on a bad chip or line).'),
  timeout: duration.default(5000).describe('limit for each gpio tool run'),
});
type Options = z.infer<typeof schema>;

/** libgpiod's major version from `gpioset --version` (`gpioset (libgpiod) v1.6.3`). */
export function parseGpiodVersion(text: string): number | undefined {
  const m = /libgpiod\)?\s+v?(\d+)\./.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * The gpioset command line that drives `line` to `high` and keeps holding it. A one-shot gpioset releases the
 * line on exit and the kernel may revert it, so the process lives as long as the level must: v1 needs
 * `--mode=signal` (runs until signalled); v2 holds by default and, with `-i`, takes further `set` commands on stdin.
 */
export function gpiosetArgs(major: number, chip: string, line: string | number, high: boolean): string[] {
  const v = high ? 1 : 0;
  if (major < 2) return ['--mode=signal', chip, `${line}=${v}`];
  return ['-i', '--consumer=hil', '-c', chip, `${line}=${v}`];
}

/**
 * A GPIO line of the rig host (a Raspberry Pi wired to BOOT0 or a button) through libgpiod's gpioset,
 * held by a gpioset process for the whole run.
 */
class GpiodOutput extends LevelOutput {
  readonly description: string;
  private holder?: ResultPromise<{ detached: true; reject: false; stdin: 'pipe'; all: true }>;
  private output = '';
  private major?: number;
  private line?: string | number;

  constructor(
    private readonly options: Options,
    ctx: DriverContext,
  ) {
    super(options, ctx);
    this.description = `gpiod ${options.chip} line ${options.line}`;
  }

  private async version(): Promise<number> {
    this.major ??= await this.ctx.shared('gpiod-version', () => gpiodVersion(this.ctx.part, this.options.timeout));
    return this.major;
  }

  /** v1 gpioset takes offsets only; a line name is looked up with gpiofind. */
  private async resolveLine(major: number): Promise<string | number> {
    if (this.line !== undefined) return this.line;
    const { line, chip } = this.options;
    if (major >= 2 || typeof line === 'number' || /^\d+$/.test(line)) return (this.line = line);
    const { stdout } = await runTool({
      part: this.ctx.part,
      cmd: 'gpiofind',
      args: [line],
      timeoutMs: this.options.timeout,
      timeline: this.ctx.timeline,
    });
    const [foundChip, offset] = stdout.trim().split(/\s+/);
    if (foundChip !== chip && `/dev/${foundChip}` !== chip)
      throw new RigError(this.ctx.part, `gpiofind: line ${line} is on ${foundChip}, not ${chip}`);
    return (this.line = Number(offset));
  }

  protected async write(high: boolean): Promise<void> {
    const major = await this.version();
    const line = await this.resolveLine(major);
    if (major >= 2 && this.holder && this.holder.exitCode === null) {
      this.holder.stdin?.write(`set ${line}=${high ? 1 : 0}\n`);
      await this.confirmAlive(high);
      return;
    }
    await this.release();
    const args = gpiosetArgs(major, this.options.chip, line, high);
    this.output = '';
    this.holder = execa('gpioset', args, { detached: true, reject: false, stdin: 'pipe', all: true });
    this.holder.all?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.ctx.timeline.record('proc', { phase: 'start', part: this.ctx.part, cmd: 'gpioset', args, pid: this.holder.pid });
    await this.confirmAlive(high);
  }

  /** gpioset reports a bad chip, line or permission at once and exits; still running after `startup` means it holds. */
  private async confirmAlive(high: boolean): Promise<void> {
    const holder = this.holder!;
    const exited = await Promise.race([holder.then(() => true), sleep(this.options.startup).then(() => false)]);
    if (!exited && !/error|invalid|unable/i.test(this.output)) return;
    const result = exited ? await holder : undefined;
    const lines = this.output.trim().split('\n');
    const said = lines.find((l) => /error|invalid|unable|cannot|no such/i.test(l)) ?? lines.at(-1) ?? '';
    const why = result?.code === 'ENOENT' ? 'gpioset: not found on PATH (install gpiod)' : said || `gpioset exited ${result?.exitCode}`;
    await this.release();
    throw new RigError(this.ctx.part, `cannot drive ${this.options.chip} line ${this.options.line} ${high ? 'high' : 'low'}: ${why}`, {
      detail: this.output.trim() || undefined,
    });
  }

  private async release(): Promise<void> {
    const holder = this.holder;
    this.holder = undefined;
    if (!holder?.pid) return;
    if (holder.exitCode === null) {
      try {
        process.kill(-holder.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const killer = setTimeout(() => {
        try {
          process.kill(-holder.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 1000);
      await holder;
      clearTimeout(killer);
    }
    this.ctx.timeline.record('proc', { phase: 'exit', part: this.ctx.part, cmd: 'gpioset', pid: holder.pid });
  }

  /** Stops holding the line: from here the kernel decides its level, which is why the runner powers off first. */
  async close(): Promise<void> {
    await this.release();
  }
}

async function gpiodVersion(part: string, timeoutMs: number): Promise<number> {
  const { stdout, stderr } = await runTool({
    part,
    cmd: 'gpioset',
    args: ['--version'],
    timeoutMs,
    installHint: 'gpiod (apt-get install gpiod)',
  });
  const major = parseGpiodVersion(stdout + stderr);
  if (major === undefined) throw new RigError(part, 'gpioset --version: cannot tell the libgpiod version', { detail: stdout + stderr });
  return major;
}

export const gpiodDriver = withCheck(
  defineDriver({
    kind: 'gpiod',
    example: '{ kind: gpiod, chip: gpiochip0, line: 17, active: low }',
    description: 'GPIO line of the rig host through libgpiod gpioset (v1 and v2), held for the whole run',
    schema,
    create: (options, ctx) => new GpiodOutput(options, ctx),
    tools: () => [{ tool: 'gpiod' }],
  }),
  // gpioinfo names the chip's lines without claiming any, so the check cannot disturb a held line.
  async (options, ctx) => {
    const major = await gpiodVersion(ctx.part, options.timeout);
    const { stdout } = await runTool({
      part: ctx.part,
      cmd: 'gpioinfo',
      args: [options.chip],
      timeoutMs: options.timeout,
      timeline: ctx.timeline,
    });
    const lines = [...stdout.matchAll(/^\s*line\s+(\d+):\s+(?:"([^"]*)"|(\S+))/gm)];
    const line = lines.find((m) => m[1] === String(options.line) || m[2] === options.line || m[3] === options.line);
    if (!line)
      throw new RigError(ctx.part, `gpioinfo: ${options.chip} has no line ${options.line} (${lines.length} lines)`, { detail: stdout });
    return `libgpiod v${major}: ${options.chip} line ${line[1]}${line[2] ? ` "${line[2]}"` : ''} present`;
  },
);
