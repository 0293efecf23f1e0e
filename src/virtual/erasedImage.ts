import { mkdir, open, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RigError } from '../errors.js';

const CHUNK = 1024 * 1024;

/**
 * Makes sure a flash image file exists with exactly `size` bytes. A missing one is created erased, every
 * byte 0xFF as on a new NOR part; an existing one is the board's flash and is left as it is.
 */
export async function ensureErasedImage(path: string, size: number, part: string): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing) {
    if (existing.size !== size) {
      throw new RigError(part, `flash image ${path} is ${existing.size} bytes, the rig says ${size}: delete it to start from an erased one`);
    }
    return;
  }
  await mkdir(dirname(path), { recursive: true });
  // Written aside and renamed, so an interrupted run never leaves a short image behind.
  const partial = `${path}.partial-${process.pid}`;
  const file = await open(partial, 'w');
  try {
    const erased = Buffer.alloc(Math.min(CHUNK, size), 0xff);
    for (let offset = 0; offset < size; offset += erased.length) {
      await file.write(erased, 0, Math.min(erased.length, size - offset));
    }
  } finally {
    await file.close();
  }
  await rename(partial, path);
}
