import { open, readFile } from 'node:fs/promises';
import type { FlashImage } from '../../protocols/Probe.js';
import { imageFormat } from '../../image/imageFormat.js';

/** One write of a flash operation: its bytes at its address, in the order the operation writes them. */
export interface PlannedWrite {
  address: number;
  bytes: Buffer;
}

/**
 * The writes of a flash operation of erases and raw binaries, in order; undefined when an image is not a raw
 * binary (an ELF or HEX `load` writes where its sections say), or a raw one has no address (flash() says so).
 */
export async function plannedWrites(
  images: FlashImage[],
  erase: Array<{ address: number; size: number }>,
  defaultAddress: number | undefined,
  part: string,
): Promise<PlannedWrite[] | undefined> {
  const writes: PlannedWrite[] = erase.filter((r) => r.size > 0).map((r) => ({ address: r.address, bytes: Buffer.alloc(r.size, 0xff) }));
  for (const image of images) {
    const address = image.address ?? defaultAddress;
    if (address === undefined || (await imageFormat(image.path, part)) !== 'binary') return undefined;
    writes.push({ address, bytes: await readFile(image.path) });
  }
  return writes;
}

/** What [from, to) holds once every write is done: the last write to cover a byte decides it. */
export function finalBytes(writes: PlannedWrite[], from: number, to: number): Buffer {
  const out = Buffer.alloc(to - from);
  for (const w of writes) {
    const start = Math.max(from, w.address);
    const end = Math.min(to, w.address + w.bytes.length);
    if (start < end) w.bytes.copy(out, start - from, start - w.address, end - w.address);
  }
  return out;
}

/** `length` bytes of `path` from `offset`; undefined if the file is missing or shorter. */
export async function readRange(path: string, offset: number, length: number): Promise<Buffer | undefined> {
  const file = await open(path, 'r').catch(() => undefined);
  if (!file) return undefined;
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, offset);
    return bytesRead === length ? buffer : undefined;
  } finally {
    await file.close();
  }
}

export function firstDifference(expected: Buffer, actual: Buffer): number | undefined {
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) if (expected[i] !== actual[i]) return i;
  return actual.length < expected.length ? actual.length : undefined;
}
