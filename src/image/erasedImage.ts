import { lstat, mkdir, open, rename, rm, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RigError } from '../core/errors.js';

const CHUNK = 1024 * 1024;

/** Bytes an unprivileged writer may still use in the filesystem holding `dir`. */
async function freeBytes(dir: string): Promise<number> {
  const fs = await statfs(dir);
  return fs.bavail * fs.bsize;
}

/**
 * Makes sure a flash image file exists with exactly `size` bytes. A missing one is created erased, every
 * byte 0xFF as on a new NOR part; an existing one is the board's flash and is left as it is.
 * `free`: how much room the folder has (the real filesystem's unless a test says otherwise).
 */
export async function ensureErasedImage(path: string, size: number, part: string, free = freeBytes): Promise<void> {
  const existing = await lstat(path).catch(() => undefined);
  if (existing) {
    // A link or device here would make hil map and overwrite somebody else's file as the board's flash.
    if (!existing.isFile()) throw new RigError(part, `flash image ${path} is not a regular file: delete it to start from an erased one`);
    if (existing.size !== size) {
      throw new RigError(
        part,
        `flash image ${path} is ${existing.size} bytes, the rig says ${size}: delete it to start from an erased one`,
      );
    }
    return;
  }
  await mkdir(dirname(path), { recursive: true });
  const room = await free(dirname(path));
  // Checked first: a disk filled with 0xFF by a typo in `size` hurts every other program on the host.
  if (room < size) throw new RigError(part, `no room for flash image ${path}: it needs ${size} bytes, ${room} are free`);
  // Written aside and renamed, so an interrupted run never leaves a short image behind.
  const partial = `${path}.partial-${process.pid}`;
  const file = await open(partial, 'w');
  try {
    const erased = Buffer.alloc(Math.min(CHUNK, size), 0xff);
    for (let offset = 0; offset < size; offset += erased.length) {
      await file.write(erased, 0, Math.min(erased.length, size - offset));
    }
  } catch (err) {
    await file.close();
    await rm(partial, { force: true });
    throw new RigError(part, `cannot create flash image ${path}: ${(err as Error).message}`, { cause: err });
  }
  await file.close();
  await rename(partial, path);
}
