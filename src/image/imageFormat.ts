import { open } from 'node:fs/promises';
import { RigError } from '../core/errors.js';

/** How a flash image file is laid out: ELF, Intel HEX and S-records carry their addresses, raw binaries do not. */
export type ImageFormat = 'elf' | 'ihex' | 'srec' | 'binary';

/** Told from the file's first bytes, not its name: build systems name images freely. */
export function formatOf(head: Buffer): ImageFormat {
  const start = head.subarray(0, 4);
  if (start.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) return 'elf';
  const text = start.toString('latin1');
  if (/^:[0-9A-Fa-f]{3}$/.test(text)) return 'ihex';
  if (/^S[0-9][0-9A-Fa-f]{2}$/.test(text)) return 'srec';
  return 'binary';
}

export async function imageFormat(path: string, part: string): Promise<ImageFormat> {
  const file = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new RigError(part, `cannot read image ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, { cause: err });
  });
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await file.read(head, 0, 4, 0);
    return formatOf(head.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}
