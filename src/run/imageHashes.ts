import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { openInputFile } from '../config/inputFile.js';
import type { RigSpec } from '../rig/RigSpec.js';

/** `image.<name>.sha256` for each of the rig's images that can be read. */
export async function imageHashes(rig: RigSpec): Promise<Record<string, string>> {
  const properties: Record<string, string> = {};
  for (const [name, image] of Object.entries(rig.images)) {
    const hash = await sha256(image.path);
    if (hash) properties[`image.${name}.sha256`] = hash;
  }
  return properties;
}

async function sha256(path: string): Promise<string | undefined> {
  let fd: number;
  try {
    ({ fd } = openInputFile(path, { maxBytes: Number.MAX_SAFE_INTEGER }));
  } catch {
    return undefined; // not there, or not a regular file (a FIFO would never end): the flash step says which
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream('', { fd })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
