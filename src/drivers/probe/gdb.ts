import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
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

/**
 * What sits behind the gdb remote, and the monitor commands each understands. A Black Magic Probe is the
 * GDB server itself (a serial device); it must scan and attach before anything else.
 */
const gdbServers = {
  bmp: { extended: true, connect: ['monitor swdp_scan', 'attach 1'], halt: [], reset: ['monitor reset'], erase: undefined },
  jlink: { extended: false, connect: [], halt: ['monitor halt'], reset: ['monitor reset', 'monitor go'], erase: undefined },
  openocd: {
    extended: true,
    connect: [],
    halt: ['monitor reset halt'],
    reset: ['monitor reset run'],
    erase: (a: number, n: number) => [`monitor flash erase_address ${hex(a)} ${hex(n)}`],
  },
  pyocd: {
    extended: false,
    connect: [],
    halt: ['monitor reset halt'],
    reset: ['monitor reset'],
    erase: (a: number, n: number) => [`monitor erase ${hex(a)} ${hex(n)}`],
  },
  qemu: { extended: false, connect: [], halt: [], reset: ['monitor system_reset'], erase: undefined },
} as const;
type GdbServer = keyof typeof gdbServers;

const schema = z.strictObject({
  kind: z.literal('gdb'),
  remote: z.string().describe('`host:port` of a GDB server, or the serial device of a Black Magic Probe (`/dev/ttyACM0`).'),
  server: z
    .enum(Object.keys(gdbServers) as [GdbServer, ...GdbServer[]])
    .describe('which GDB server it is: decides the monitor commands for reset and erase'),
  extended: z.boolean().optional().describe("Overrides the server's default (remote vs extended-remote)."),
  gdb: z.string().default('gdb-multiarch').describe('the gdb to run'),
  connect: z
    .array(z.string())
    .default([])
    .describe('Extra commands after connecting (`monitor tpwr enable` on a BMP powering the target).'),
  connectTimeout: duration
    .default(10_000)
    .describe('gdb keeps retrying a refused TCP connection until this passes (its own default is 15 s).'),
  timeout: duration.default(300_000).describe('limit for one gdb run (a flash, a reset)'),
});
type Options = z.infer<typeof schema>;

/** Raw binaries go through `restore` (plain memory writes); ELF and HEX through `load` (the server's flash writer). */
function isRawBinary(path: string): boolean {
  return !['.elf', '.axf', '.out', '.hex', '.ihex', '.srec', '.s19'].includes(extname(path).toLowerCase());
}

function quote(path: string): string {
  return /\s/.test(path) ? `"${path.replace(/(["\\])/g, '\\$1')}"` : path;
}

/** gdb's `load` names each section as it starts and ends with the load size; it prints no percentages. */
export class GdbProgress implements ProgressParser {
  private readonly lines: LineFeeder;
  constructor(report: (u: ProbeProgressUpdate) => void, image?: string) {
    this.lines = new LineFeeder((line) => {
      const section = /^Loading section (\S+), size (0x[0-9a-f]+) lma (0x[0-9a-f]+)/.exec(line);
      if (section) report({ phase: `load ${section[1]}`, percent: 0, image });
      if (/^Start address .*, load size \d+/.test(line)) report({ phase: 'load', percent: 100, image });
      if (/^Restoring binary file .* into memory/.test(line)) report({ phase: 'restore', percent: 0, image });
    });
  }
  feed(chunk: string): void {
    this.lines.feed(chunk);
  }
}

/**
 * Probes through gdb-multiarch in batch mode. Commands go in a script file, because gdb stops a sourced
 * script at its first error (with `-ex` it would carry on and run `load` against a failed connection).
 */
class GdbProbe implements Probe {
  readonly description: string;
  readonly progress: ProbeProgress;
  private readonly server: (typeof gdbServers)[GdbServer];

  constructor(
    private readonly options: Options,
    private readonly ctx: DriverContext,
  ) {
    this.server = gdbServers[options.server];
    this.description = `gdb ${options.server} at ${options.remote}`;
    this.progress = new ProbeProgress(ctx);
  }

  /** The gdb script: connect, then `commands`, then let the target go. */
  script(commands: string[]): string {
    const extended = this.options.extended ?? this.server.extended;
    return [
      'set pagination off',
      'set confirm off',
      `set tcp connect-timeout ${Math.max(1, Math.ceil(this.options.connectTimeout / 1000))}`,
      `target ${extended ? 'extended-remote' : 'remote'} ${this.options.remote}`,
      ...this.server.connect,
      ...this.options.connect,
      ...commands,
      'detach',
      '',
    ].join('\n');
  }

  async run(commands: string[], timeoutMs: number, signal?: AbortSignal, parser?: () => ProgressParser, dir?: string): Promise<string> {
    const own = dir ?? (await mkdtemp(join(tmpdir(), 'hil-gdb-')));
    try {
      const file = join(own, 'commands.gdb');
      await writeFile(file, this.script(commands));
      const { stdout } = await runProbeTool(this.ctx, {
        cmd: this.options.gdb,
        args: ['-batch', '-nx', '-x', file],
        timeoutMs,
        signal,
        parser,
        installHint: 'gdb-multiarch (apt-get install gdb-multiarch)',
        // gdb exits 0 after some failures it reports only in text.
        failsOn:
          /^(?:.*: )?(Connection refused|Connection timed out|No such file or directory|Remote connection closed|Remote communication error).*$|^(?:Error|error): .*$|^Remote failure reply: .*$/m,
      });
      return stdout;
    } finally {
      if (!dir) await rm(own, { recursive: true, force: true });
    }
  }

  async flash(images: FlashImage[], options: FlashOptions = {}): Promise<void> {
    guardRegions(images, this.ctx.part);
    for (const range of options.erase ?? []) await this.erase(range.address, range.size, options);
    const dir = await mkdtemp(join(tmpdir(), 'hil-gdb-'));
    try {
      const commands: string[] = [...this.server.halt];
      const checks: Array<{ image: FlashImage; dump: string; size: number }> = [];
      for (const [i, image] of images.entries()) {
        if (isRawBinary(image.path)) {
          if (image.address === undefined)
            throw new RigError(this.ctx.part, `image ${image.name} (${image.path}) is a raw binary: give it an address`);
          commands.push(`restore ${quote(image.path)} binary ${hex(image.address)}`);
          if (options.verify ?? true) {
            const size = (await stat(image.path)).size;
            const dump = join(dir, `verify-${i}.bin`);
            commands.push(`dump binary memory ${quote(dump)} ${hex(image.address)} ${hex(image.address + size)}`);
            checks.push({ image, dump, size });
          }
        } else {
          commands.push(`load ${quote(image.path)}`);
          if (options.verify ?? true) commands.push('compare-sections');
        }
      }
      if (options.reset) commands.push(...this.server.reset);
      const parser = () => new GdbProgress(this.progress.report, images.map((i) => i.name).join(', '));
      const stdout = await this.run(commands, this.options.timeout, options.signal, parser, dir);
      const mismatch = /^Section (\S+), range (0x[0-9a-f]+) -- (0x[0-9a-f]+): MIS-MATCHED!/m.exec(stdout);
      if (mismatch)
        throw new RigError(
          this.ctx.part,
          `gdb compare-sections: section ${mismatch[1]} (${mismatch[2]}..${mismatch[3]}) does not match the image`,
          { detail: stdout },
        );
      for (const check of checks) {
        const [want, got] = await Promise.all([readFile(check.image.path), readFile(check.dump)]);
        if (!want.equals(got)) {
          const at = want.findIndex((b, k) => got[k] !== b);
          throw new RigError(
            this.ctx.part,
            `verify failed for ${check.image.name}: memory differs from ${check.image.path} at ${hex(check.image.address! + at)}`,
          );
        }
      }
      this.progress.report({ phase: 'flash', percent: 100, image: images.map((i) => i.name).join(', ') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async erase(address: number, length: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.server.erase) {
      await this.run([...this.server.halt, ...this.server.erase(address, length)], 60_000, options.signal);
      return;
    }
    if (this.options.server !== 'qemu') {
      throw new RigError(this.ctx.part, `gdb: no erase through a ${this.options.server} server; write the region with an image instead`);
    }
    // The emulator's flash is memory: erased NOR reads 0xFF.
    const dir = await mkdtemp(join(tmpdir(), 'hil-gdb-'));
    try {
      const blank = join(dir, 'erased.bin');
      await writeFile(blank, Buffer.alloc(length, 0xff));
      await this.run([`restore ${quote(blank)} binary ${hex(address)}`], 60_000, options.signal, undefined, dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async read(address: number, length: number, options: { signal?: AbortSignal } = {}): Promise<Buffer> {
    const dir = await mkdtemp(join(tmpdir(), 'hil-gdb-'));
    try {
      const file = join(dir, 'dump.bin');
      await this.run(
        [`dump binary memory ${quote(file)} ${hex(address)} ${hex(address + length)}`],
        60_000,
        options.signal,
        undefined,
        dir,
      );
      return await readFile(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async reset(options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.run([...this.server.reset], 60_000, options.signal);
  }

  async close(): Promise<void> {}
}

export const gdbDriver = withCheck(
  defineDriver({
    kind: 'gdb',
    example: '{ kind: gdb, remote: /dev/ttyACM0, server: bmp }',
    description: 'GDB server (Black Magic Probe, J-Link GDB server, openocd, pyocd gdbserver, QEMU) through gdb-multiarch',
    schema,
    create: (options, ctx) => new GdbProbe(options, ctx),
    tools: (options) => [{ tool: 'gdb', command: options.gdb }],
  }),
  // Connecting (and, on a BMP, scanning) proves the server and the target; `detach` lets the target run on.
  async (options, ctx) => {
    const stdout = await new GdbProbe(options, ctx).run([], 30_000);
    const target = /^\s*1\s+(.+)$/m.exec(stdout)?.[1]?.trim();
    return `gdb connected to ${options.server} at ${options.remote}${target ? ` (${target})` : ''}`;
  },
);
