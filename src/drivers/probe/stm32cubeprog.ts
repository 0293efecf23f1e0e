import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { duration } from '../../core/duration.js';
import { RigError } from '../../core/errors.js';
import { withCheck } from '../../protocols/DriverCheck.js';
import { hex } from '../../core/size.js';
import type { DriverContext } from '../../protocols/DriverContext.js';
import { defineDriver } from '../../protocols/DriverDefinition.js';
import { checkFlashLayout } from '../../flash/flashLayoutTsv.js';
import type { FlashImage, FlashOptions, Probe } from '../../protocols/Probe.js';
import { LineFeeder, ProbeProgress, type ProbeProgressUpdate, type ProgressParser } from '../../protocols/ProbeProgress.js';
import { runProbeTool } from '../support/runProbeTool.js';
import { guardRegions } from '../support/regionGuard.js';

const INSTALL = 'STM32CubeProgrammer from st.com (STM32_Programmer_CLI); it cannot come from a package registry';

const schema = z.strictObject({
  kind: z.literal('stm32cubeprog'),
  port: z.string().default('usb1').describe('`usb1` (ROM DFU, as `-l usb` lists it), `swd`, or a UART device.'),
  connect: z.array(z.string()).default([]).describe('Extra `-c` connection settings: `sn=066DFF`, `mode=UR`, `freq=4000`.'),
  binaries: z
    .string()
    .optional()
    .describe("Directory the layout's binaries are relative to (the tool's working directory); default: the .tsv's own."),
  cli: z.string().default('STM32_Programmer_CLI').describe('the STM32CubeProgrammer command line tool to run'),
  timeout: duration.default(900_000).describe('A whole SD-card image over USB DFU takes minutes (4m31s in the STM32MP1 seed).'),
});
type Options = z.infer<typeof schema>;

/**
 * STM32_Programmer_CLI's progress: `Opening and parsing file: X` names the image, `Download in Progress:` and
 * `Flashlayout Programming ...` start phases, `[=====   ] 45%` bars (redrawn with CR on a terminal) give percent.
 */
export class CubeProgProgress implements ProgressParser {
  private readonly lines: LineFeeder;
  private phase = 'connect';
  private image?: string;
  private last = '';

  constructor(private readonly onUpdate: (u: ProbeProgressUpdate) => void) {
    this.lines = new LineFeeder((line) => this.line(line));
  }

  /** A bar seen while still partial is seen again when its line ends: report it once. */
  private report(u: ProbeProgressUpdate): void {
    const key = `${u.image}\0${u.phase}\0${u.percent}`;
    if (key === this.last) return;
    this.last = key;
    this.onUpdate(u);
  }

  private line(line: string): void {
    const file = /^Opening and parsing file: (.+)$/.exec(line.trim());
    if (file) this.image = basename(file[1]!.trim());
    const phases: Array<[RegExp, string, number]> = [
      [/^Download in Progress:/, 'download', 0],
      [/^Erasing memory corresponding/, 'erase', 0],
      [/^Flashlayout Programming/, 'flashlayout', 0],
      [/^Start operation done successfully at partition/, 'program', 100],
      [/^Download verified successfully/, 'verify', 100],
      [/^Flashing service completed successfully/, 'done', 100],
    ];
    for (const [re, phase, percent] of phases) {
      if (re.test(line.trim())) {
        this.phase = phase;
        this.report({ phase, percent, image: phase === 'done' ? undefined : this.image });
      }
    }
    this.bar(line);
  }

  private bar(text: string): void {
    const m = /\[=*\s*\]\s*(\d+)\s*%/.exec(text);
    if (m) this.report({ phase: this.phase, percent: Number(m[1]), image: this.image });
  }

  feed(chunk: string): void {
    this.lines.feed(chunk);
    this.bar(this.lines.partial);
  }
}

export interface CubeProgDevice {
  index: string;
  serial?: string;
}

/** The DFU devices `STM32_Programmer_CLI -l usb` lists (`Device Index : USB1`, `Serial number : ...`). */
export function parseUsbList(stdout: string): CubeProgDevice[] {
  const devices: CubeProgDevice[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const index = /^\s*Device Index\s*:\s*(\S+)/.exec(line);
    if (index) devices.push({ index: index[1]! });
    const serial = /^\s*Serial number\s*:\s*(\S+)/.exec(line);
    if (serial && devices.length) devices.at(-1)!.serial = serial[1];
  }
  return devices;
}

/** STM32_Programmer_CLI, for the STM32MP1 ROM's USB DFU with a flash layout, and for MCUs over SWD. */
class CubeProgProbe implements Probe {
  readonly description: string;
  readonly progress: ProbeProgress;

  constructor(
    private readonly options: Options,
    private readonly ctx: DriverContext,
  ) {
    this.description = `STM32_Programmer_CLI port=${options.port}`;
    this.progress = new ProbeProgress(ctx);
  }

  private connect(): string[] {
    return ['-c', `port=${this.options.port}`, ...this.options.connect];
  }

  /** The command line for one image: a .tsv is a whole flash layout; anything else a file at an address. */
  commandLine(image: FlashImage, options: FlashOptions): string[] {
    if (extname(image.path).toLowerCase() === '.tsv') return [...this.connect(), '-w', image.path];
    const addr = image.address === undefined ? [] : [hex(image.address)];
    return [...this.connect(), '-w', image.path, ...addr, ...((options.verify ?? true) ? ['-v'] : []), ...(options.reset ? ['-rst'] : [])];
  }

  binariesDir(layout: string): string {
    const dir = this.options.binaries;
    if (dir === undefined) return dirname(layout);
    return isAbsolute(dir) ? dir : resolve(this.ctx.rigDir, dir);
  }

  private run(args: string[], timeoutMs: number, signal?: AbortSignal, cwd?: string, parser?: () => ProgressParser) {
    return runProbeTool(this.ctx, { cmd: this.options.cli, args, timeoutMs, signal, cwd, parser, installHint: INSTALL });
  }

  async flash(images: FlashImage[], options: FlashOptions = {}): Promise<void> {
    guardRegions(images, this.ctx.part);
    if (options.erase?.length) await this.erase();
    for (const image of images) {
      let cwd: string | undefined;
      if (extname(image.path).toLowerCase() === '.tsv') {
        cwd = this.binariesDir(image.path);
        const { problems } = await checkFlashLayout(image.path, cwd);
        if (problems.length) {
          const lines = problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`);
          throw new RigError(this.ctx.part, lines[0]! + (lines.length > 1 ? ` (and ${lines.length - 1} more)` : ''), {
            detail: lines.join('\n'),
          });
        }
      }
      await this.run(
        this.commandLine(image, options),
        this.options.timeout,
        options.signal,
        cwd,
        () => new CubeProgProgress(this.progress.report),
      );
    }
  }

  async erase(): Promise<void> {
    throw new RigError(
      this.ctx.part,
      'STM32_Programmer_CLI erases by sector number, not address range: write the region through a flash layout instead',
    );
  }

  async read(address: number, length: number, options: { signal?: AbortSignal } = {}): Promise<Buffer> {
    const dir = await mkdtemp(join(tmpdir(), 'hil-cubeprog-'));
    try {
      const file = join(dir, 'dump.bin');
      await this.run([...this.connect(), '-u', hex(address), hex(length), file], 120_000, options.signal);
      return await readFile(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async reset(options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.run([...this.connect(), '-rst'], 60_000, options.signal);
  }

  async close(): Promise<void> {}
}

export const stm32cubeprogDriver = withCheck(
  defineDriver({
    kind: 'stm32cubeprog',
    example: '{ kind: stm32cubeprog, port: usb1 }',
    description: 'STM32_Programmer_CLI: flash layouts (.tsv) over USB DFU, images over SWD',
    schema,
    create: (options, ctx) => new CubeProgProbe(options, ctx),
    tools: (options) => [{ tool: 'stm32cubeprog', command: options.cli }],
  }),
  async (options, ctx) => {
    if (!/^usb\d+$/i.test(options.port)) {
      await runProbeTool(ctx, {
        cmd: options.cli,
        args: ['-c', `port=${options.port}`, ...options.connect],
        timeoutMs: 30_000,
        installHint: INSTALL,
      });
      return `STM32_Programmer_CLI connects through ${options.port}`;
    }
    const { stdout } = await runProbeTool(ctx, { cmd: options.cli, args: ['-l', 'usb'], timeoutMs: 30_000, installHint: INSTALL });
    const devices = parseUsbList(stdout);
    const mine = devices.find((d) => d.index.toLowerCase() === options.port.toLowerCase());
    if (!mine) {
      const seen = devices.length
        ? `it lists ${devices.map((d) => d.index).join(', ')}`
        : 'it lists no STM32 device in DFU mode (boot switches set to USB, board reset?)';
      throw new RigError(ctx.part, `STM32_Programmer_CLI -l usb: no ${options.port}; ${seen}`, { detail: stdout });
    }
    return `STM32_Programmer_CLI lists ${mine.index}${mine.serial ? ` (serial ${mine.serial})` : ''}`;
  },
);
