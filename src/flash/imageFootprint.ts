import { closeSync } from 'node:fs';
import { openInputFile, readAt } from '../config/inputFile.js';
import { hex } from '../core/size.js';
import { imageExtent } from '../image/imageExtent.js';
import { formatOf, type ImageFormat } from '../image/imageFormat.js';

/** Address ranges an image writes, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

export interface ImageFootprint {
  format: ImageFormat;
  /** Bytes in the file. */
  fileSize: number;
  /**
   * What a probe writes: for a raw binary the file at its address (undefined without one), for ELF the loaded
   * segments, for HEX and S-records the data records, adjacent ones merged.
   */
  spans?: Span[];
  /** An MCUboot image in a raw binary: header + body + TLV area as its header declares them. */
  declaredSize?: number;
}

/** Bound on HEX and S-record text, which is parsed whole: twice and a half the bytes it holds, for 64 MiB of flash. */
const MAX_TEXT_IMAGE = 192 * 1024 * 1024;

/** The image does not say where it goes (a malformed ELF, a HEX record that does not parse). */
export class FootprintError extends Error {}

/**
 * Where the image at `path` would land in memory, read from the file alone, without trusting its name. `path`
 * must be a regular file (ConfigError otherwise); `address` is where a raw binary goes.
 */
export function imageFootprint(path: string, address: number | undefined): ImageFootprint {
  const { fd, size } = openInputFile(path, { maxBytes: Number.MAX_SAFE_INTEGER });
  try {
    const format = formatOf(readAt(fd, 0, 4));
    const footprint: ImageFootprint = { format, fileSize: size };
    if (format === 'elf') footprint.spans = elfSpans(fd, size);
    else if (format === 'ihex' || format === 'srec') footprint.spans = textSpans(format, fd, size);
    else {
      if (address !== undefined) footprint.spans = size ? [{ start: address, end: address + size }] : [];
      footprint.declaredSize = mcubootSize(fd, size);
    }
    return footprint;
  } finally {
    closeSync(fd);
  }
}

/** ih_hdr_size + ih_img_size + protected TLVs + TLV area, read from as far into the file as it goes. */
function mcubootSize(fd: number, size: number): number | undefined {
  let prefix = readAt(fd, 0, Math.min(size, 32));
  for (;;) {
    const extent = imageExtent(prefix);
    if (extent === undefined || extent <= prefix.length || extent > size) return extent;
    prefix = readAt(fd, 0, extent);
  }
}

const PT_LOAD = 1;

/** PT_LOAD segments with file bytes, at their physical (load) addresses, as gdb's `load` and OpenOCD write them. */
function elfSpans(fd: number, size: number): Span[] {
  const ident = readAt(fd, 0, 64);
  const wide = ident[4] === 2;
  const little = ident[5] !== 2;
  if ((ident[4] !== 1 && !wide) || ident.length < (wide ? 64 : 52)) throw new FootprintError('a truncated or unknown ELF header');
  const u16 = (b: Buffer, at: number) => (little ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const u32 = (b: Buffer, at: number) => (little ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const word = (b: Buffer, at: number) => (wide ? Number(little ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at)) : u32(b, at));
  const phoff = word(ident, wide ? 32 : 28);
  const phentsize = u16(ident, wide ? 54 : 42);
  const phnum = u16(ident, wide ? 56 : 44);
  if (phnum === 0) return [];
  if (phentsize < (wide ? 56 : 32) || phoff + phentsize * phnum > size)
    throw new FootprintError('ELF program headers lie outside the file');
  const table = readAt(fd, phoff, phentsize * phnum);
  const spans: Span[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = table.subarray(i * phentsize);
    if (u32(ph, 0) !== PT_LOAD) continue;
    const paddr = word(ph, wide ? 24 : 12);
    const filesz = word(ph, wide ? 32 : 16);
    if (filesz > 0) spans.push({ start: paddr, end: paddr + filesz });
  }
  return merge(spans);
}

/** Data records of Intel HEX (with extended segment and linear addresses) or Motorola S-records. */
function textSpans(format: 'ihex' | 'srec', fd: number, size: number): Span[] {
  if (size > MAX_TEXT_IMAGE)
    throw new FootprintError(`${size} bytes of ${format === 'ihex' ? 'Intel HEX' : 'S-records'}; the limit is ${MAX_TEXT_IMAGE}`);
  const lines = readAt(fd, 0, size).toString('latin1').split(/\r?\n/);
  const spans: Span[] = [];
  let base = 0;
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    const bad = () =>
      new FootprintError(`line ${i + 1} is not a ${format === 'ihex' ? 'HEX' : 'S-'}record: ${JSON.stringify(line.slice(0, 40))}`);
    if (format === 'ihex') {
      const m = /^:([0-9A-Fa-f]{2})([0-9A-Fa-f]{4})([0-9A-Fa-f]{2})([0-9A-Fa-f]*)$/.exec(line);
      if (!m) throw bad();
      const count = parseInt(m[1]!, 16);
      const type = parseInt(m[3]!, 16);
      if (m[4]!.length !== 2 * count + 2) throw bad();
      if (type === 0 && count) spans.push({ start: base + parseInt(m[2]!, 16), end: base + parseInt(m[2]!, 16) + count });
      else if (type === 2) base = parseInt(m[4]!.slice(0, 4), 16) * 16;
      else if (type === 4) base = parseInt(m[4]!.slice(0, 4), 16) * 0x10000;
      else if (type === 1) break;
    } else {
      const m = /^S([0-9])([0-9A-Fa-f]{2})([0-9A-Fa-f]*)$/.exec(line);
      if (!m) throw bad();
      const addressBytes = { '1': 2, '2': 3, '3': 4 }[m[1]!];
      if (!addressBytes) continue;
      const count = parseInt(m[2]!, 16);
      if (m[3]!.length !== 2 * count || count < addressBytes + 1) throw bad();
      const start = parseInt(m[3]!.slice(0, 2 * addressBytes), 16);
      const data = count - addressBytes - 1;
      if (data) spans.push({ start, end: start + data });
    }
  }
  return merge(spans);
}

function merge(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

export function formatSpan(span: Span): string {
  return `${hex(span.start)}..${hex(span.end)}`;
}
