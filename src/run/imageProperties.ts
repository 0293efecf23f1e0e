import { createHash } from 'node:crypto';
import { closeSync, createReadStream, fstatSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { openInputFile } from '../config/inputFile.js';
import { headerVersion } from '../image/McubootImage.js';
import { formatVersion } from '../image/imageVersion.js';
import type { RigSpec } from '../rig/RigSpec.js';

/**
 * What the case flashed, for the report's header and JUnit: `image.<name>.path` (see `shown`), `.sha256` (each image that can
 * be read), `.version` (an MCUboot image's header) and `.overridden` (`--image` or `scenario` when the run put
 * another file in place of the rig's).
 */
export async function imageProperties(rig: RigSpec): Promise<Record<string, string>> {
  const properties: Record<string, string> = {};
  for (const [name, image] of Object.entries(rig.images)) {
    properties[`image.${name}.path`] = shown(image.path);
    const read = await readImage(image.path);
    if (read) properties[`image.${name}.sha256`] = read.sha256;
    if (read?.version) properties[`image.${name}.version`] = read.version;
    if (image.overriddenBy) properties[`image.${name}.overridden`] = image.overriddenBy;
  }
  return properties;
}

/** Relative to the folder hil runs in when the image is inside it (as the rig file or `--image` named it), else absolute. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

type ImageRead = { sha256: string; version?: string };

/**
 * Images read so far in this process, by path and file identity (device, inode, size, change time): every case of
 * a run flashes the same files, and reading them again each case took 20 to 30 ms of a loaded machine's time.
 */
const readBefore = new Map<string, ImageRead>();

async function readImage(path: string): Promise<ImageRead | undefined> {
  let fd: number;
  try {
    ({ fd } = openInputFile(path, { maxBytes: Number.MAX_SAFE_INTEGER }));
  } catch {
    return undefined; // not there, or not a regular file (a FIFO would never end): the flash step says which
  }
  const { dev, ino, size, mtimeMs, ctimeMs } = fstatSync(fd);
  const key = JSON.stringify([path, dev, ino, size, mtimeMs, ctimeMs]);
  const known = readBefore.get(key);
  if (known) {
    closeSync(fd);
    return known;
  }
  const read = await hashImage(fd);
  readBefore.set(key, read);
  return read;
}

async function hashImage(fd: number): Promise<ImageRead> {
  const hash = createHash('sha256');
  let head: Buffer | undefined;
  for await (const chunk of createReadStream('', { fd })) {
    head ??= chunk as Buffer;
    hash.update(chunk as Buffer);
  }
  const parsed = head && headerVersion(head);
  const version = parsed ? formatVersion(parsed) : undefined;
  return { sha256: hash.digest('hex'), ...(version ? { version } : {}) };
}
