import { execa } from 'execa';
import { RigError } from '../core/errors.js';
import { diesWithParent, killGroup, trackGroup, untrackGroup } from '../core/processGroups.js';
import type { Timeline } from '../core/Timeline.js';

export interface QemuExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface QemuProcessOptions {
  part: string;
  timeline: Timeline;
  /** Hard bound: the process is SIGKILLed after this long whatever else happens. */
  lifetimeMs: number;
}

/** QEMU's stderr kept for error messages: its last lines say why it stopped. */
const STDERR_KEEP = 16 * 1024;

/** One emulator process in its own process group; killing it is the board's power cut. */
export class QemuProcess {
  readonly exited: Promise<QemuExit>;
  private stderrTail = '';
  private done = false;
  private readonly lifetime: NodeJS.Timeout;
  /** Killed because it reached its lifetime bound. */
  outlived = false;
  /** Killed by hil (a cut, a retirement, its lifetime bound), as opposed to dying of something else. */
  killed = false;

  private constructor(
    readonly pid: number,
    subprocess: ReturnType<typeof execa>,
    options: QemuProcessOptions,
    binary: string,
  ) {
    const started = performance.now();
    trackGroup(pid);
    subprocess.stderr?.setEncoding('utf8');
    subprocess.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_KEEP);
    });
    this.exited = new Promise<QemuExit>((resolve) => {
      // 'close' rather than 'exit': it comes after stderr has been read to its end.
      subprocess.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        this.done = true;
        untrackGroup(pid);
        clearTimeout(this.lifetime);
        // Anything QEMU left in its group (it starts none, but a wrapper in `qemu:` might) goes with it.
        killGroup(pid);
        const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
        options.timeline.record('proc', { phase: 'exit', part: options.part, cmd: binary, pid, exitCode: code, signal, durationMs });
        resolve({ code, signal });
      });
    });
    // Exit status is taken from the 'close' event above; the execa promise only has to be settled.
    subprocess.catch(() => undefined);
    this.lifetime = setTimeout(() => {
      options.timeline.record('qemu', { phase: 'lifetime', part: options.part, pid, lifetimeMs: options.lifetimeMs });
      this.outlived = true;
      this.kill();
    }, options.lifetimeMs);
    this.lifetime.unref();
  }

  static async start(binary: string, args: string[], options: QemuProcessOptions): Promise<QemuProcess> {
    const [cmd, argv] = diesWithParent(binary, args);
    const subprocess = execa(cmd, argv, {
      detached: true,
      reject: false,
      buffer: false,
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
    });
    const pid = subprocess.pid;
    if (pid === undefined) {
      const result = await subprocess;
      const missing = result.code === 'ENOENT';
      throw new RigError(
        options.part,
        missing
          ? `${cmd}: not found on PATH (install qemu-system-arm)`
          : `cannot start ${binary}: ${result.originalMessage ?? result.shortMessage}`,
        {
          detail: result.originalMessage,
        },
      );
    }
    options.timeline.record('proc', { phase: 'start', part: options.part, cmd: binary, args, pid });
    return new QemuProcess(pid, subprocess, options, binary);
  }

  get running(): boolean {
    return !this.done;
  }

  /** What QEMU printed on stderr (its last 16 KiB). */
  stderr(): string {
    return this.stderrTail;
  }

  /** SIGKILL to the whole group: synchronous, so the caller can time the cut. */
  kill(): void {
    if (this.done) return;
    this.killed = true;
    killGroup(this.pid);
  }
}
