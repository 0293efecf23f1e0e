/**
 * The MCUboot image format (bootutil/image.h, as written by imgtool):
 *
 *   header (ih_hdr_size bytes: a 32-byte struct, then padding)
 *   body   (ih_img_size bytes)
 *   protected TLV area (ih_protect_tlv_size bytes, info magic 0x6908), optional
 *   TLV area (info magic 0x6907): SHA-256 (type 0x10) over header + body + protected TLVs, ...
 *   [--pad: erased bytes up to the slot size, the boot magic in the last 16 bytes]
 *
 * All fields little endian. This is what the virtual board's bootloader validates.
 */
import { createHash } from 'node:crypto';
import { formatVersion, parseVersion, type ImageVersion } from './imageVersion.js';

export const IMAGE_MAGIC = 0x96f3b83d;
/** sizeof(struct image_header). */
export const IMAGE_HEADER_SIZE = 32;
export const TLV_INFO_MAGIC = 0x6907;
const TLV_PROT_INFO_MAGIC = 0x6908;
export const TLV_INFO_SIZE = 4;
const TLV_HEADER_SIZE = 4;
export const TLV_SHA256 = 0x10;
/** The trailer's boot magic (BOOT_MAGIC, max_align 8): in a secondary slot it means "upgrade pending". */
export const BOOT_MAGIC = Buffer.from([0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80]);

export type ImageErrorCode = 'TRUNCATED' | 'BAD_MAGIC' | 'BAD_HEADER' | 'BAD_TLV' | 'BAD_OPTION';

/** A buffer that is not (or cannot become) a well-formed MCUboot image. */
export class ImageFormatError extends Error {
  readonly code: ImageErrorCode;
  constructor(code: ImageErrorCode, message: string) {
    super(message);
    this.name = 'ImageFormatError';
    this.code = code;
  }
}

interface TlvInput {
  type: number;
  data: Uint8Array;
}

interface Tlv {
  type: number;
  /** Offset of the TLV's 4-byte header from the start of the image. */
  offset: number;
  data: Buffer;
}

export interface EncodeOptions {
  /** The application binary (it must be linked to run after the header). */
  body: Uint8Array;
  /** `1.1.0+0`, or the parsed form. */
  version: string | ImageVersion;
  /** ih_hdr_size: the header plus padding; the body starts here. Default 32. */
  headerSize?: number;
  /** ih_load_addr (only used by RAM-load bootloaders). Default 0. */
  loadAddr?: number;
  /** ih_flags. Default 0. */
  flags?: number;
  /** TLVs in the protected area (covered by the hash). */
  protectedTlvs?: TlvInput[];
  /** Extra unprotected TLVs, after the SHA-256 one. */
  tlvs?: TlvInput[];
  /** Value of erased flash: header padding and slot padding. Default 0xff. */
  erasedVal?: number;
  /** Pad to `slotSize` and write the boot magic at the end (imgtool --pad): the upgrade is pending. */
  pad?: boolean;
  slotSize?: number;
  /** With `pad`: also set image_ok in the trailer (imgtool --confirm). */
  confirm?: boolean;
  /** Flash write alignment of the trailer fields (imgtool --max-align). Default 8. */
  maxAlign?: number;
}

interface ImageHeader {
  magic: number;
  loadAddr: number;
  hdrSize: number;
  protectTlvSize: number;
  imgSize: number;
  flags: number;
  version: ImageVersion;
}

interface Range {
  offset: number;
  length: number;
}

export interface ParsedImage {
  header: ImageHeader;
  /** `1.1.0+0` */
  version: string;
  body: Range;
  /** Bytes covered by the SHA-256: header + body + protected TLVs. */
  hashed: Range;
  protectedTlvs: Tlv[];
  tlvs: Tlv[];
  /** The SHA-256 TLV's value, if there is one. */
  hash?: Buffer;
  computedHash: Buffer;
  /** A SHA-256 TLV is present and matches. */
  hashOk: boolean;
  /** Header + body + protected TLVs + TLV area: what a bootloader copies. */
  size: number;
  /** What follows the image in the buffer, when it was padded to a slot. */
  trailer?: { slotSize: number; magicOk: boolean; imageOk: number };
}

function checkU(value: number, bits: 8 | 16 | 32, what: string): void {
  const max = 2 ** bits - 1;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new ImageFormatError('BAD_OPTION', `${what} must be an integer 0..${max}, got ${value}`);
  }
}

function tlvArea(magic: number, items: TlvInput[], leading: TlvInput[] = []): Buffer {
  const all = [...leading, ...items];
  const parts: Buffer[] = [];
  for (const t of all) {
    checkU(t.type, 16, 'TLV type');
    checkU(t.data.length, 16, `TLV 0x${t.type.toString(16)} length`);
    const h = Buffer.alloc(TLV_HEADER_SIZE);
    h.writeUInt16LE(t.type, 0);
    h.writeUInt16LE(t.data.length, 2);
    parts.push(h, Buffer.from(t.data));
  }
  const body = Buffer.concat(parts);
  const total = TLV_INFO_SIZE + body.length;
  checkU(total, 16, 'TLV area size');
  const info = Buffer.alloc(TLV_INFO_SIZE);
  info.writeUInt16LE(magic, 0);
  info.writeUInt16LE(total, 2);
  return Buffer.concat([info, body]);
}

/** imgtool's trailer size for overwrite-only images: image_ok + copy_done + aligned magic. */
export function trailerSize(maxAlign = 8): number {
  return maxAlign * 2 + Math.ceil(BOOT_MAGIC.length / maxAlign) * maxAlign;
}

/** Builds an image the way `imgtool sign --header-size N --pad-header [--pad]` does (no signature). */
export function encodeImage(options: EncodeOptions): Buffer {
  const headerSize = options.headerSize ?? IMAGE_HEADER_SIZE;
  const erased = options.erasedVal ?? 0xff;
  const version = typeof options.version === 'string' ? parseVersion(options.version) : options.version;
  checkU(headerSize, 16, 'headerSize');
  if (headerSize < IMAGE_HEADER_SIZE) {
    throw new ImageFormatError('BAD_OPTION', `headerSize must be at least ${IMAGE_HEADER_SIZE}, got ${headerSize}`);
  }
  checkU(options.loadAddr ?? 0, 32, 'loadAddr');
  checkU(options.flags ?? 0, 32, 'flags');
  checkU(erased, 8, 'erasedVal');
  checkU(options.body.length, 32, 'body length');

  const prot = options.protectedTlvs?.length ? tlvArea(TLV_PROT_INFO_MAGIC, options.protectedTlvs) : Buffer.alloc(0);
  checkU(prot.length, 16, 'protected TLV area size');

  const header = Buffer.alloc(headerSize, erased);
  header.writeUInt32LE(IMAGE_MAGIC, 0);
  header.writeUInt32LE(options.loadAddr ?? 0, 4);
  header.writeUInt16LE(headerSize, 8);
  header.writeUInt16LE(prot.length, 10);
  header.writeUInt32LE(options.body.length, 12);
  header.writeUInt32LE(options.flags ?? 0, 16);
  header.writeUInt8(version.major, 20);
  header.writeUInt8(version.minor, 21);
  header.writeUInt16LE(version.revision, 22);
  header.writeUInt32LE(version.buildNum, 24);
  header.writeUInt32LE(0, 28);

  const hashed = Buffer.concat([header, Buffer.from(options.body), prot]);
  const digest = createHash('sha256').update(hashed).digest();
  const tlvs = tlvArea(TLV_INFO_MAGIC, options.tlvs ?? [], [{ type: TLV_SHA256, data: digest }]);
  const image = Buffer.concat([hashed, tlvs]);

  if (!options.pad) {
    if (options.confirm) throw new ImageFormatError('BAD_OPTION', 'confirm needs pad');
    return image;
  }
  const slotSize = options.slotSize;
  if (slotSize === undefined) throw new ImageFormatError('BAD_OPTION', 'pad needs slotSize');
  checkU(slotSize, 32, 'slotSize');
  const maxAlign = options.maxAlign ?? 8;
  const tsize = trailerSize(maxAlign);
  if (image.length + tsize > slotSize) {
    throw new ImageFormatError(
      'BAD_OPTION',
      `image of ${image.length} bytes plus a ${tsize}-byte trailer does not fit a slot of ${slotSize} bytes`,
    );
  }
  const out = Buffer.alloc(slotSize, erased);
  image.copy(out, 0);
  BOOT_MAGIC.copy(out, slotSize - BOOT_MAGIC.length);
  if (options.confirm) out[slotSize - Math.ceil(BOOT_MAGIC.length / maxAlign) * maxAlign - maxAlign] = 0x01;
  return out;
}

function readTlvArea(buf: Buffer, offset: number, magic: number, what: string): { tlvs: Tlv[]; size: number } {
  if (offset + TLV_INFO_SIZE > buf.length) {
    throw new ImageFormatError('TRUNCATED', `${what} at offset ${offset} is past the end of the ${buf.length}-byte buffer`);
  }
  const found = buf.readUInt16LE(offset);
  if (found !== magic) {
    throw new ImageFormatError('BAD_TLV', `${what} at offset ${offset}: magic 0x${found.toString(16)}, expected 0x${magic.toString(16)}`);
  }
  const size = buf.readUInt16LE(offset + 2);
  if (size < TLV_INFO_SIZE) throw new ImageFormatError('BAD_TLV', `${what} at offset ${offset}: size ${size} is too small`);
  if (offset + size > buf.length) {
    throw new ImageFormatError('TRUNCATED', `${what} at offset ${offset} (${size} bytes) runs past the end of the buffer`);
  }
  const tlvs: Tlv[] = [];
  let p = offset + TLV_INFO_SIZE;
  while (p < offset + size) {
    if (p + TLV_HEADER_SIZE > offset + size) throw new ImageFormatError('BAD_TLV', `${what}: TLV at offset ${p} is cut`);
    const type = buf.readUInt16LE(p);
    const len = buf.readUInt16LE(p + 2);
    if (p + TLV_HEADER_SIZE + len > offset + size) {
      throw new ImageFormatError('BAD_TLV', `${what}: TLV 0x${type.toString(16)} at offset ${p} (${len} bytes) overruns the area`);
    }
    tlvs.push({ type, offset: p, data: Buffer.from(buf.subarray(p + TLV_HEADER_SIZE, p + TLV_HEADER_SIZE + len)) });
    p += TLV_HEADER_SIZE + len;
  }
  return { tlvs, size };
}

/** `ih_ver`, the header's `struct image_version`: `buf` holds at least the first 28 bytes of a header. */
function versionAt(buf: Buffer): ImageVersion {
  return { major: buf.readUInt8(20), minor: buf.readUInt8(21), revision: buf.readUInt16LE(22), buildNum: buf.readUInt32LE(24) };
}

/** The version in the header `head` starts with; undefined when it is not an image header, or too short to hold one. */
export function headerVersion(head: Buffer): ImageVersion | undefined {
  return head.length >= 28 && head.readUInt32LE(0) === IMAGE_MAGIC ? versionAt(head) : undefined;
}

/**
 * Parses an image that starts at offset 0 of `buf` (a file, or a slot read back from flash).
 * Throws ImageFormatError for a bad magic, an impossible header or TLV area, or a cut buffer;
 * a wrong hash is not an error: see `hashOk`.
 */
export function parseImage(input: Uint8Array): ParsedImage {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length < IMAGE_HEADER_SIZE) {
    throw new ImageFormatError('TRUNCATED', `${buf.length} bytes is shorter than an image header (${IMAGE_HEADER_SIZE})`);
  }
  const magic = buf.readUInt32LE(0);
  if (magic !== IMAGE_MAGIC) {
    const what = magic === 0xffffffff ? ' (erased flash)' : '';
    throw new ImageFormatError(
      'BAD_MAGIC',
      `bad image magic 0x${magic.toString(16).padStart(8, '0')}${what}, expected 0x${IMAGE_MAGIC.toString(16)}`,
    );
  }
  const header: ImageHeader = {
    magic,
    loadAddr: buf.readUInt32LE(4),
    hdrSize: buf.readUInt16LE(8),
    protectTlvSize: buf.readUInt16LE(10),
    imgSize: buf.readUInt32LE(12),
    flags: buf.readUInt32LE(16),
    version: versionAt(buf),
  };
  if (header.hdrSize < IMAGE_HEADER_SIZE) {
    throw new ImageFormatError('BAD_HEADER', `ih_hdr_size ${header.hdrSize} is smaller than the header (${IMAGE_HEADER_SIZE})`);
  }
  const bodyEnd = header.hdrSize + header.imgSize;
  const hashedEnd = bodyEnd + header.protectTlvSize;
  if (hashedEnd > buf.length) {
    throw new ImageFormatError(
      'TRUNCATED',
      `header says ${header.hdrSize} + ${header.imgSize} + ${header.protectTlvSize} bytes, the buffer has ${buf.length}`,
    );
  }
  let protectedTlvs: Tlv[] = [];
  if (header.protectTlvSize > 0) {
    const area = readTlvArea(buf, bodyEnd, TLV_PROT_INFO_MAGIC, 'protected TLV area');
    if (area.size !== header.protectTlvSize) {
      throw new ImageFormatError('BAD_TLV', `protected TLV area is ${area.size} bytes, ih_protect_tlv_size says ${header.protectTlvSize}`);
    }
    protectedTlvs = area.tlvs;
  }
  const { tlvs, size: tlvSize } = readTlvArea(buf, hashedEnd, TLV_INFO_MAGIC, 'TLV area');
  const computedHash = createHash('sha256').update(buf.subarray(0, hashedEnd)).digest();
  const hashTlv = tlvs.find((t) => t.type === TLV_SHA256 && t.data.length === 32);
  const size = hashedEnd + tlvSize;

  const parsed: ParsedImage = {
    header,
    version: formatVersion(header.version),
    body: { offset: header.hdrSize, length: header.imgSize },
    hashed: { offset: 0, length: hashedEnd },
    protectedTlvs,
    tlvs,
    computedHash,
    hashOk: hashTlv !== undefined && hashTlv.data.equals(computedHash),
    size,
  };
  if (hashTlv) parsed.hash = hashTlv.data;
  if (buf.length >= size + BOOT_MAGIC.length && buf.length > size) {
    const magicOk = buf.subarray(buf.length - BOOT_MAGIC.length).equals(BOOT_MAGIC);
    const imageOk = buf[buf.length - BOOT_MAGIC.length - 8] ?? 0xff;
    parsed.trailer = { slotSize: buf.length, magicOk, imageOk };
  }
  return parsed;
}

/** One line per fact, for `imageTool show` and reports. */
export function describeImage(img: ParsedImage): string[] {
  const h = img.header;
  const hex = (n: number, w = 8): string => `0x${n.toString(16).padStart(w, '0')}`;
  const lines = [
    `magic            ${hex(h.magic)}`,
    `load address     ${hex(h.loadAddr)}`,
    `header size      ${hex(h.hdrSize, 0)} (${h.hdrSize})`,
    `body             offset ${hex(img.body.offset, 0)}, ${img.body.length} bytes`,
    `protected TLVs   ${h.protectTlvSize} bytes`,
    `flags            ${hex(h.flags)}`,
    `version          ${img.version}`,
    `image size       ${img.size} bytes (header + body + TLVs)`,
  ];
  for (const t of [...img.protectedTlvs.map((x) => ({ ...x, p: ' (protected)' })), ...img.tlvs.map((x) => ({ ...x, p: '' }))]) {
    lines.push(
      `TLV 0x${t.type.toString(16).padStart(2, '0')}${t.p}  ${t.data.length} bytes at ${hex(t.offset, 0)}: ${t.data.toString('hex')}`,
    );
  }
  lines.push(`sha256           ${img.computedHash.toString('hex')} ${img.hashOk ? 'OK' : img.hash ? 'MISMATCH' : 'NO HASH TLV'}`);
  if (img.trailer) {
    lines.push(
      `trailer          slot ${img.trailer.slotSize} bytes, boot magic ${img.trailer.magicOk ? 'set (upgrade pending)' : 'absent'}` +
        (img.trailer.imageOk === 0x01 ? ', image_ok' : ''),
    );
  }
  return lines;
}
