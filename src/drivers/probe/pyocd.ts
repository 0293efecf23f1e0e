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
import { findOnPath } from '../../core/findOnPath.js';
import type { FlashImage, FlashOptions, Probe } from '../../protocols/Probe.js';
import { LineFeeder, ProbeProgress, type ProbeProgressUpdate, type ProgressParser } from '../../protocols/ProbeProgress.js';
import { runProbeTool } from '../support/runProbeTool.js';
import { guardRegions } from '../support/regionGuard.js';

const schema = z.strictObject({
  kind: z.literal('pyocd'),
  target: z.string().describe('pyOCD target type: `k64f`, `stm32f429xi`, `cy8c6xxa`.'),
  uid: z.string().optional().describe('Probe unique ID (DAPLink board ID, ST-Link serial): picks one probe when several are attached.'),
  frequency: z.number().int().positive().optional().describe('SWD clock in Hz.'),
  sectorSize: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Legacy pyocd-tool erases by sector count, so it needs the sector size (modern pyocd takes a byte range).'),
  cli: z
    .enum(['auto', 'pyocd', 'legacy'])
    .default('auto')
    .describe("`auto` uses `pyocd` when installed, else Debian's pyOCD 0.13 tools (pyocd-flashtool, pyocd-tool)."),
  timeout: duration.default(300_000).describe('limit for one pyOCD run'),
});
type Options = z.infer<typeof schema>;

export type PyocdFlavour = 'pyocd' | 'legacy';

const INSTALL = 'pyocd (pip install pyocd, or apt-get install python3-pyocd)';

export function detectPyocd(cli: Options['cli'], path?: string): PyocdFlavour | undefined {
  if (cli !== 'auto') return cli;
  if (findOnPath('pyocd', path)) return 'pyocd';
  if (findOnPath('pyocd-flashtool', path)) return 'legacy';
  return undefined;
}

export interface PyocdCommand {
  cmd: string;
  args: string[];
}

/**
 * pyOCD command lines for both generations: the `pyocd` subcommand CLI (0.14 and later) and the separate
 * tools of 0.13 (Debian's python3-pyocd), whose board option is `-b` and whose commander is `pyocd-tool`.
 */
export class PyocdCommands {
  constructor(
    readonly flavour: PyocdFlavour,
    private readonly options: Pick<Options, 'target' | 'uid' | 'frequency' | 'sectorSize'>,
  ) {}

  private select(legacyTool: boolean): string[] {
    const { target, uid, frequency } = this.options;
    const probe = uid ? [this.flavour === 'pyocd' ? '-u' : '-b', uid] : [];
    // pyocd-tool takes kHz (-k); pyocd and pyocd-flashtool take Hz (-f).
    const clock = frequency ? (legacyTool ? ['-k', String(Math.round(frequency / 1000))] : ['-f', String(frequency)]) : [];
    // Modern pyocd would otherwise wait forever for a probe to appear.
    return ['-t', target, ...probe, ...clock, ...(this.flavour === 'pyocd' ? ['-W'] : [])];
  }

  flash(image: FlashImage, reset: boolean): PyocdCommand {
    const addr = image.address === undefined ? [] : [this.flavour === 'pyocd' ? '--base-address' : '-a', hex(image.address)];
    if (this.flavour === 'pyocd')
      return { cmd: 'pyocd', args: ['flash', ...this.select(false), ...addr, ...(reset ? [] : ['--no-reset']), image.path] };
    return { cmd: 'pyocd-flashtool', args: [...this.select(false), ...addr, image.path] };
  }

  erase(address: number, length: number): PyocdCommand {
    if (this.flavour === 'pyocd')
      return { cmd: 'pyocd', args: ['erase', ...this.select(false), '--sector', `${hex(address)}+${hex(length)}`] };
    const sector = this.options.sectorSize;
    if (!sector) throw new Error('pyocd-tool erases whole sectors by count: set sectorSize in the probe block');
    return { cmd: 'pyocd-tool', args: [...this.select(true), 'erase', hex(address), String(Math.ceil(length / sector))] };
  }

  read(address: number, length: number, file: string): PyocdCommand {
    const savemem = `savemem ${hex(address)} ${length} ${file}`;
    if (this.flavour === 'pyocd') return { cmd: 'pyocd', args: ['commander', ...this.select(false), '-c', savemem] };
    return { cmd: 'pyocd-tool', args: [...this.select(true), 'savemem', hex(address), String(length), file] };
  }

  reset(): PyocdCommand {
    if (this.flavour === 'pyocd') return { cmd: 'pyocd', args: ['reset', ...this.select(false)] };
    return { cmd: 'pyocd-tool', args: [...this.select(true), 'reset'] };
  }

  list(): PyocdCommand {
    return this.flavour === 'pyocd' ? { cmd: 'pyocd', args: ['list'] } : { cmd: 'pyocd-tool', args: ['list'] };
  }
}

/**
 * pyOCD's progress bar. Piped, it prints a ruler `[---|---|...----]` then one `=` per 2.5% and `]` at the end;
 * on a terminal it redraws `[====      ]  45%` with carriage returns. Both are read here.
 */
export class PyocdProgress implements ProgressParser {
  private readonly lines: LineFeeder;
  private inBar = false;
  private count = 0;

  constructor(
    private readonly report: (u: ProbeProgressUpdate) => void,
    private readonly image?: string,
  ) {
    this.lines = new LineFeeder((line) => this.line(line));
  }

  private line(line: string): void {
    if (/^\[(---\|)+----\]$/.test(line.trim())) {
      this.inBar = true;
      this.count = 0;
      this.report({ phase: 'program', percent: 0, image: this.image });
      return;
    }
    const tty = /^\[[= ]*\]\s+(\d+)%/.exec(line.trim());
    if (tty) this.report({ phase: 'program', percent: Number(tty[1]), image: this.image });
    if (this.inBar) this.bar(line, true);
  }

  private bar(text: string, complete: boolean): void {
    const equals = (text.match(/=/g) ?? []).length;
    if (equals > this.count || complete) {
      this.count = Math.max(equals, this.count);
      this.report({ phase: 'program', percent: (this.count / 40) * 100, image: this.image });
    }
    if (complete && text.includes(']')) this.inBar = false;
  }

  feed(chunk: string): void {
    this.lines.feed(chunk);
    if (this.inBar) this.bar(this.lines.partial, false);
  }
}

class PyocdProbe implements Probe {
  readonly description: string;
  readonly progress: ProbeProgress;
  private commands?: PyocdCommands;

  constructor(
    private readonly options: Options,
    private readonly ctx: DriverContext,
  ) {
    this.description = `pyocd -t ${options.target}${options.uid ? ` -u ${options.uid}` : ''}`;
    this.progress = new ProbeProgress(ctx);
  }

  private cli(): PyocdCommands {
    if (this.commands) return this.commands;
    const flavour = detectPyocd(this.options.cli);
    if (!flavour) throw new RigError(this.ctx.part, `pyocd: neither pyocd nor pyocd-flashtool is on PATH (install ${INSTALL})`);
    return (this.commands = new PyocdCommands(flavour, this.options));
  }

  private async run(command: PyocdCommand, timeoutMs: number, signal?: AbortSignal, parser?: () => ProgressParser) {
    // pyOCD 0.13's pyocd-tool waits forever for a probe to appear (it has no --no-wait): list first.
    if (command.cmd === 'pyocd-tool') await listedProbe(this.ctx, this.cli(), this.options.uid);
    return runProbeTool(this.ctx, { ...command, timeoutMs, signal, parser, installHint: INSTALL });
  }

  async flash(images: FlashImage[], options: FlashOptions = {}): Promise<void> {
    guardRegions(images, this.ctx.part);
    for (const range of options.erase ?? []) await this.erase(range.address, range.size, options);
    const cli = this.cli();
    for (const [i, image] of images.entries()) {
      const reset = i === images.length - 1 && (options.reset ?? false);
      await this.run(
        cli.flash(image, reset),
        this.options.timeout,
        options.signal,
        () => new PyocdProgress(this.progress.report, image.name),
      );
      // pyocd-flashtool has no reset switch of its own.
      if (reset && this.cli().flavour === 'legacy') await this.reset(options);
    }
  }

  async erase(address: number, length: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    let command: PyocdCommand;
    try {
      command = this.cli().erase(address, length);
    } catch (err) {
      if (err instanceof RigError) throw err;
      throw new RigError(this.ctx.part, (err as Error).message);
    }
    this.progress.report({ phase: 'erase', percent: 0 });
    await this.run(command, this.options.timeout, options.signal);
    this.progress.report({ phase: 'erase', percent: 100 });
  }

  async read(address: number, length: number, options: { signal?: AbortSignal } = {}): Promise<Buffer> {
    const dir = await mkdtemp(join(tmpdir(), 'hil-pyocd-'));
    try {
      const file = join(dir, 'dump.bin');
      await this.run(this.cli().read(address, length, file), 60_000, options.signal);
      return await readFile(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async reset(options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.run(this.cli().reset(), 60_000, options.signal);
  }

  async close(): Promise<void> {}
}

const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Unique IDs in a probe listing: pyOCD 0.13 prints ` 0 => FRDM-K64F [k64f] | 0240000032044e45...` (coloured),
 * modern pyocd a table row `  0   ARM DAPLink CMSIS-DAP   0240000032044e45...   k64f`. Both exit 0 with no probe.
 */
export function probesListed(stdout: string): string[] {
  const text = stdout.replace(ANSI, '');
  const legacy = [...text.matchAll(/^\s*\d+ => .*\| (\S+)\s*$/gm)].map((m) => m[1]!);
  if (legacy.length) return legacy;
  return [...text.matchAll(/^\s*\d+\s{2,}.*?\s([0-9A-Za-z]{12,})(?:\s|$)/gm)].map((m) => m[1]!);
}

/** The probe to use as the listing shows it; a RigError in the listing tool's own words when it is not there. */
async function listedProbe(ctx: Pick<DriverContext, 'part' | 'timeline'>, cli: PyocdCommands, uid?: string): Promise<string> {
  const { stdout, stderr } = await runProbeTool(ctx, { ...cli.list(), timeoutMs: 30_000, installHint: INSTALL });
  const listed = probesListed(stdout);
  const tool = cli.flavour === 'pyocd' ? 'pyocd list' : 'pyocd-tool list';
  if (listed.length === 0) {
    const said = (stdout + stderr).replace(ANSI, '').trim().split('\n').filter(Boolean).at(-1) ?? 'no output';
    throw new RigError(ctx.part, `${tool}: ${said}`, { detail: (stdout + stderr).trim() || undefined });
  }
  const mine = uid ? listed.find((id) => id.toLowerCase().includes(uid.toLowerCase())) : listed[0];
  if (!mine) throw new RigError(ctx.part, `${tool}: no probe with unique ID ${uid} (found ${listed.join(', ')})`, { detail: stdout });
  return mine;
}

export const pyocdDriver = withCheck(
  defineDriver({
    kind: 'pyocd',
    example: '{ kind: pyocd, target: k64f, uid: 0240000032044e4500257009997b00386781000097969900 }',
    description: 'debug probe through pyOCD (pyocd CLI, or the pyocd-flashtool/pyocd-tool of pyOCD 0.13)',
    schema,
    create: (options, ctx) => new PyocdProbe(options, ctx),
    tools: (options) => [
      options.cli === 'auto' ? { tool: 'pyocd' } : { tool: 'pyocd', command: options.cli === 'pyocd' ? 'pyocd' : 'pyocd-flashtool' },
    ],
  }),
  async (options, ctx) => {
    const flavour = detectPyocd(options.cli);
    if (!flavour) throw new RigError(ctx.part, `pyocd: neither pyocd nor pyocd-flashtool is on PATH (install ${INSTALL})`);
    const id = await listedProbe(ctx, new PyocdCommands(flavour, options), options.uid);
    return `${flavour === 'pyocd' ? 'pyocd list' : 'pyocd-tool list'} shows probe ${id}`;
  },
);
