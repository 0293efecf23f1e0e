import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair {
  /** The end the driver opens (what /dev/ttyACM0 would be). */
  driverPath: string;
  /** The end the fake board opens. */
  boardPath: string;
  close(): Promise<void>;
}

/** Two linked ptys from socat: a real serial path for the driver, the other end for a fake board. */
export async function ptyPair(): Promise<PtyPair> {
  const dir = await mkdtemp(join(tmpdir(), 'hil-pty-'));
  const driverPath = join(dir, 'driver');
  const boardPath = join(dir, 'board');
  const child = execa('socat', [`pty,raw,echo=0,link=${driverPath}`, `pty,raw,echo=0,link=${boardPath}`], { detached: true, reject: false });
  const deadline = Date.now() + 5000;
  while (!(existsSync(driverPath) && existsSync(boardPath))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('socat did not create the pty pair');
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    driverPath,
    boardPath,
    async close() {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
      await child;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
