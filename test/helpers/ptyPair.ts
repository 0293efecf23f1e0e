import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<PtyPair>();

/**
 * Two linked ptys made by a real socat: `board` is where the test writes as the board would, `driver` is what
 * the driver under test opens (a console or a serial relay). A new pair on the same link paths is a new pty
 * underneath, as after re-enumeration.
 */
export class PtyPair {
  /** Set by inTempDir: the folder close() removes. */
  private tempDir?: string;

  private constructor(
    private readonly child: ChildProcess,
    readonly board: string,
    readonly driver: string,
  ) {}

  static async start(board: string, driver: string): Promise<PtyPair> {
    const child = spawn('socat', [`pty,raw,echo=0,link=${board}`, `pty,raw,echo=0,link=${driver}`], { stdio: 'ignore' });
    const pair = new PtyPair(child, board, driver);
    live.add(pair);
    const deadline = Date.now() + 5000;
    while (!(existsSync(board) && existsSync(driver))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`socat did not create ${board} and ${driver}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return pair;
  }

  /** A pair whose links are in a fresh temporary folder, removed again by close(). */
  static async inTempDir(): Promise<PtyPair> {
    const dir = mkdtempSync(join(tmpdir(), 'hil-pty-'));
    const pair = await PtyPair.start(join(dir, 'board'), join(dir, 'driver'));
    pair.tempDir = dir;
    return pair;
  }

  /** Writes bytes into the board end; returns false when that end is gone (between two socats). */
  write(data: string | Buffer): boolean {
    let fd: number;
    try {
      fd = openSync(this.board, constants.O_WRONLY | constants.O_NOCTTY);
    } catch {
      return false;
    }
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      return true;
    } catch {
      return false;
    } finally {
      closeSync(fd);
    }
  }

  /** SIGKILL leaves the links dangling (as a vanished USB device leaves its by-id link); SIGTERM removes them. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    live.delete(this);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }

  async close(): Promise<void> {
    await this.kill();
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
  }

  static async killAll(): Promise<void> {
    await Promise.all([...live].map((pair) => pair.kill()));
  }
}
