import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startHil } from './hilCli.js';
import { processesMentioning } from './processes.js';
import { untilOrAfter } from './until.js';

/**
 * A scripted board (test/fixtures/ptyboard/board.mjs) on a socat pty pair in a fresh directory, for fault
 * tests that need a console without QEMU: power goes through the `command` driver writing `dir/power`.
 */
export class PtyBench {
  readonly dir = mkdtempSync(join(tmpdir(), 'hil-faults-'));
  readonly consolePath = join(this.dir, 'hil-end');
  readonly powerFile = join(this.dir, 'power');
  private socat?: ResultPromise;
  private board?: ResultPromise;

  async start(): Promise<void> {
    this.socat = execa('socat', [`pty,raw,echo=0,link=${this.consolePath}`, `pty,raw,echo=0,link=${join(this.dir, 'board-end')}`], {
      reject: false,
      timeout: 120_000,
    });
    await untilOrAfter(() => existsSync(join(this.dir, 'board-end')));
    this.board = execa(process.execPath, [join(ROOT, 'test/fixtures/ptyboard/board.mjs'), join(this.dir, 'board-end'), this.powerFile], {
      reject: false,
      timeout: 120_000,
    });
    await new Promise((r) => setTimeout(r, 300));
  }

  /** The console's far end disappears, as a USB-serial adapter unplugged: the pty and its link go. */
  async unplug(): Promise<void> {
    this.board?.kill('SIGKILL');
    this.socat?.kill('SIGKILL');
    await Promise.allSettled([this.board, this.socat]);
    await untilOrAfter(() => !existsSync(this.consolePath));
  }

  /** Writes a rig file; `power`/`outputs` override the default command power. */
  rig(name: string, lines: { power?: string; outputs?: string; console?: string } = {}): string {
    const file = join(this.dir, `rig-${name}.yaml`);
    writeFileSync(
      file,
      [
        `name: ${name}`,
        lines.console ?? `console: { kind: serial, path: ${this.consolePath}, baud: 115200, reopen: 1s }`,
        lines.power ?? `power: { kind: command, on: 'echo good > ${this.powerFile}', off: 'rm -f ${this.powerFile}' }`,
        ...(lines.outputs ? [lines.outputs] : []),
      ].join('\n'),
    );
    return file;
  }

  scenario(name: string, text: string): string {
    const file = join(this.dir, `${name}.yaml`);
    writeFileSync(file, text);
    return file;
  }

  /** Runs hil as a user would; returns the live process so a test can signal it. */
  run(args: string[], env: Record<string, string> = {}) {
    return startHil(args, { env });
  }

  /** Stops the board and socat, then returns what is still running from this bench's directory (should be nothing). */
  async stop(): Promise<string[]> {
    await this.unplug();
    const left = processesMentioning(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
    return left;
  }
}

/** The boot scenario of the pty board with `middle` steps between power-on and the end. */
export function bootScenario(name: string, middle: string[]): string {
  return [
    `name: ${name}`,
    'steps:',
    '  - power: on',
    '  - wait: ready',
    ...middle.map((s) => `  - ${s}`),
    '  - power: off',
    'expect:',
    '  patterns:',
    "    BANNER: 'Booting'",
    "    READY: 'Ready v(?<version>\\S+)'",
    "    NEVER: 'this line never comes'",
    "  forbidden: ['PANIC']",
    '  model:',
    '    initial: off',
    '    on: { POWER_OFF: off }',
    '    states:',
    '      off: { on: { POWER_ON: booting } }',
    '      booting: { on: { BANNER: started } }',
    '      started: { on: { READY: ready } }',
    '      ready: { on: { SENT: booting, NEVER: never } }',
    '      never: {}',
    '',
  ].join('\n');
}

/** Resolves once hil -v prints `text` (a step starting); rejects if hil exits first, so a test never hangs on it. */
export function printed(child: ReturnType<PtyBench['run']>, text: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (c: Buffer) => {
      seen += c.toString();
      if (seen.includes(text)) resolve();
    });
    void child.then((r) =>
      reject(new Error(`hil exited ${r.exitCode} before printing ${JSON.stringify(text)}:\n${r.stdout}\n${r.stderr}`)),
    );
  });
}
