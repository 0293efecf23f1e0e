import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { duration } from '../../core/duration.js';
import { RigError } from '../../core/errors.js';
import { withCheck } from '../../protocols/DriverCheck.js';
import { hex } from '../../core/size.js';
import type { DriverContext } from '../../protocols/DriverContext.js';
import { defineDriver } from '../../protocols/DriverDefinition.js';
import type { FlashImage, FlashOptions, Probe } from '../../protocols/Probe.js';
import { LineFeeder, ProbeProgress, type ProbeProgressUpdate, type ProgressParser } from '../../protocols/ProbeProgress.js';
import { runProbeTool } from '../support/runProbeTool.js';
import { guardRegions } from '../support/regionGuard.js';

const schema = z.strictObject({
  kind: z.literal('openocd'),
  args: z
    .array(z.string())
    .min(1)
    .describe('Interface and target configuration, e.g. `[-f, interface/cmsis-dap.cfg, -f, target/psoc6.cfg]`.'),
  serial: z.string().optional().describe('Adapter serial number: picks one probe when several are attached.'),
  speed: z.number().int().positive().optional().describe('Adapter clock in kHz.'),
  timeout: duration.default(300_000).describe('Per flash run; reads, erases and resets get a minute.'),
  cmd: z.string().default('openocd').describe('the openocd to run (a vendor build for flash it does not know)'),
});
type Options = z.infer<typeof schema>;

/** OpenOCD takes Tcl words: braces keep a path with spaces in one word. */
function tclWord(s: string): string {
  return /[\s{}[\]$"\\;]/.test(s) ? `{${s}}` : s;
}

/** The `program` command for one image: its address only for raw binaries, `reset` only when asked. */
export function openocdProgram(image: FlashImage, options: { verify: boolean; reset: boolean }): string {
  return [
    'program',
    tclWord(image.path),
    ...(image.address === undefined ? [] : [hex(image.address)]),
    ...(options.verify ? ['verify'] : []),
    ...(options.reset ? ['reset'] : []),
    'exit',
  ].join(' ');
}

/** OpenOCD's `program` announces its phases with `** ... **` banners; it prints no percentages. */
export class OpenOcdProgress implements ProgressParser {
  private readonly lines: LineFeeder;
  constructor(report: (u: ProbeProgressUpdate) => void, image?: string) {
    const banners: Array<[RegExp, string, number]> = [
      [/\*\* Programming Started \*\*/, 'program', 0],
      [/\*\* Programming Finished \*\*/, 'program', 100],
      [/\*\* Verify Started \*\*/, 'verify', 0],
      [/\*\* Verified OK \*\*/, 'verify', 100],
      [/\*\* Resetting Target \*\*/, 'reset', 100],
    ];
    this.lines = new LineFeeder((line) => {
      for (const [re, phase, percent] of banners) if (re.test(line)) report({ phase, percent, image });
    });
  }
  feed(chunk: string): void {
    this.lines.feed(chunk);
  }
}

/** OpenOCD's terse adapter errors, with what they mean on a rig. */
const HINTS: Array<[RegExp, string]> = [[/Error: open failed$/, 'no ST-Link found, or another program holds it']];

async function runOpenOcd(
  ctx: Pick<DriverContext, 'part' | 'timeline'>,
  cmd: string,
  args: string[],
  timeoutMs: number,
  signal?: AbortSignal,
  parser?: () => ProgressParser,
) {
  try {
    return await runProbeTool(ctx, { cmd, args, timeoutMs, signal, parser, installHint: 'openocd (apt-get install openocd)' });
  } catch (err) {
    const hint = err instanceof RigError ? HINTS.find(([re]) => re.test(err.message))?.[1] : undefined;
    if (!hint) throw err;
    throw new RigError((err as RigError).part, `${(err as RigError).message} (${hint})`, { detail: (err as RigError).detail });
  }
}

/** Probes through OpenOCD, one short-lived openocd per operation (no server left behind between steps). */
class OpenOcdProbe implements Probe {
  readonly description: string;
  readonly progress: ProbeProgress;

  constructor(
    private readonly options: Options,
    private readonly ctx: DriverContext,
  ) {
    this.description = `openocd ${options.args.join(' ')}${options.serial ? ` (serial ${options.serial})` : ''}`;
    this.progress = new ProbeProgress(ctx);
  }

  /** The command line up to and including `-c init`, then `commands` each as its own `-c`. */
  commandLine(commands: string[], init = true): string[] {
    const pre = [
      ...(this.options.serial ? ['-c', `adapter serial ${this.options.serial}`] : []),
      ...(this.options.speed ? ['-c', `adapter speed ${this.options.speed}`] : []),
    ];
    return [...this.options.args, ...pre, ...(init ? ['-c', 'init'] : []), ...commands.flatMap((c) => ['-c', c])];
  }

  private run(commands: string[], timeoutMs: number, signal?: AbortSignal, parser?: () => ProgressParser, init = true) {
    return runOpenOcd(this.ctx, this.options.cmd, this.commandLine(commands, init), timeoutMs, signal, parser);
  }

  async flash(images: FlashImage[], options: FlashOptions = {}): Promise<void> {
    guardRegions(images, this.ctx.part);
    for (const range of options.erase ?? []) await this.erase(range.address, range.size, options);
    for (const [i, image] of images.entries()) {
      const last = i === images.length - 1;
      // `program` does its own init and reset-halt, so no `-c init` before it.
      const program = openocdProgram(image, { verify: options.verify ?? true, reset: last && (options.reset ?? false) });
      await this.run([program], this.options.timeout, options.signal, () => new OpenOcdProgress(this.progress.report, image.name), false);
    }
  }

  async erase(address: number, length: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    this.progress.report({ phase: 'erase', percent: 0 });
    await this.run(['reset halt', `flash erase_address ${hex(address)} ${hex(length)}`, 'shutdown'], 60_000, options.signal);
    this.progress.report({ phase: 'erase', percent: 100 });
  }

  async read(address: number, length: number, options: { signal?: AbortSignal } = {}): Promise<Buffer> {
    const dir = await mkdtemp(join(tmpdir(), 'hil-openocd-'));
    try {
      const file = join(dir, 'dump.bin');
      await this.run(['halt', `dump_image ${tclWord(file)} ${hex(address)} ${hex(length)}`, 'resume', 'shutdown'], 60_000, options.signal);
      return await readFile(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async reset(options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.run(['reset run', 'shutdown'], 60_000, options.signal);
  }

  async close(): Promise<void> {}
}

export const openocdDriver = withCheck(
  defineDriver({
    kind: 'openocd',
    example: '{ kind: openocd, args: [-f, interface/stlink.cfg, -f, target/stm32f4x.cfg], serial: 066DFF485550755187121723 }',
    description: 'debug probe through OpenOCD (program + verify + reset, erase, dump_image)',
    schema,
    create: (options, ctx) => new OpenOcdProbe(options, ctx),
    tools: (options) => [{ tool: 'openocd', command: options.cmd }],
  }),
  // `init` finds the adapter and examines the target without halting it; `shutdown` leaves the board running.
  async (options, ctx) => {
    const probe = new OpenOcdProbe(options, ctx);
    const { stderr } = await runOpenOcd(ctx, options.cmd, probe.commandLine(['shutdown']), 30_000);
    const target = /Info : (\S+\.cpu): hardware has/.exec(stderr)?.[1] ?? /Info : \[(\S+)\] /.exec(stderr)?.[1];
    return `openocd found the probe${target ? ` and ${target}` : ''}`;
  },
);
