import { readInputFile } from '../config/inputFile.js';
import { ImageFormatError, parseImage } from '../image/McubootImage.js';

/**
 * What a region must hold, byte for byte, after a bootloader wrote `image` into it: the MCUboot image itself
 * (header to TLVs; a trailer padded onto the file is not part of what a copy writes) and erased flash up to the
 * region's end. A file that is not an MCUboot image (a bootloader binary) is expected as it is.
 */
export function expectedContents(imagePath: string, regionSize: number): Buffer {
  // A file larger than the region cannot be what the region holds.
  const file = readInputFile(imagePath, { maxBytes: regionSize });
  let length = file.length;
  try {
    length = parseImage(file).size;
  } catch (err) {
    if (!(err instanceof ImageFormatError)) throw err;
  }
  const out = Buffer.alloc(regionSize, 0xff);
  file.copy(out, 0, 0, Math.min(length, regionSize));
  return out;
}

/** `null` when equal; otherwise how many bytes differ, the first difference and the span they cover. */
export function describeDifference(want: Buffer, got: Buffer): string | null {
  let count = 0;
  let first = -1;
  let last = -1;
  for (let i = 0; i < want.length; i++) {
    if (want[i] === got[i]) continue;
    count++;
    if (first < 0) first = i;
    last = i;
  }
  if (count === 0) return null;
  const hex = (n: number) => `0x${n.toString(16)}`;
  const byte = (b: Buffer, i: number) => (b[i] === undefined ? 'nothing' : b[i]!.toString(16).padStart(2, '0'));
  return `${count} byte${count === 1 ? '' : 's'} differ in ${hex(first)}..${hex(last)}; at ${hex(first)} expected ${byte(want, first)}, read ${byte(got, first)}`;
}
