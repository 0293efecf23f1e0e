/**
 * Bad images derived from a good one, each the way a real upgrade goes wrong: a corrupted download, a bad
 * signing step, a header that lies about sizes, an old image replayed. A bootloader must refuse every one of
 * them and keep booting what it has. The input is left as it is: padding and the trailer (an upgrade pending)
 * stay where they were, so only the image itself is at fault. `not-pending` is the converse: the image stays
 * good and only the trailer's request goes, so a bootloader must leave it where it is.
 */
import { createHash } from 'node:crypto';
import { BOOT_MAGIC, encodeImage, parseImage, TLV_SHA256, type ParsedImage } from './McubootImage.js';
import { bodyFill } from './bodyFill.js';
import { compareVersions, formatVersion, type ImageVersion } from './imageVersion.js';

/** MCUboot's security counter TLV (a protected one). */
const TLV_SEC_CNT = 0x50;
/** An unprotected TLV type no bootloader acts on (MCUboot's dependency TLV is 0x40; 0xa0 is vendor space). */
const TLV_OVERRUN_TYPE = 0xa0;
const ERASED = 0xff;

export interface TamperOptions {
  /** Size of the slot the image goes to: `size-past-slot` and `header-past-slot` reach just past its end. */
  slotSize?: number;
  /** `older` and `same-version`: the version of the image the board runs. */
  than?: ImageVersion;
}

interface Tampering {
  what: string;
  apply(image: Buffer, parsed: ParsedImage, options: TamperOptions): Buffer;
}

const TAMPERINGS = {
  'body-byte': { what: 'one bit of the body flipped (hash mismatch)', apply: (b, p) => flip(b, p.body.offset + (p.body.length >> 1)) },
  'bad-hash': { what: 'one bit of the SHA-256 TLV value flipped', apply: (b, p) => flip(b, hashTlv(p).offset + 4) },
  'no-hash': { what: 'the SHA-256 TLV retyped (0x11): no hash to check', apply: (b, p) => withU16(b, hashTlv(p).offset, TLV_SHA256 + 1) },
  'no-tlv': { what: 'the TLV area erased', apply: (b, p) => erase(b, p.hashed.length, p.size) },
  'bad-magic': { what: 'one bit of the header magic flipped, the hash recomputed over it', apply: (b, p) => rehash(flip(b, 0), p) },
  'size-past-slot': {
    what: 'ih_img_size set so that header + body end 4 bytes past the slot',
    apply: (b, p, o) => withU32(b, 12, slotSize(b, p, o) + 4 - p.header.hdrSize),
  },
  'header-past-slot': {
    what: 'ih_hdr_size set as large as it goes (past the slot when the slot is 64 KiB or less)',
    apply: (b, p, o) => withU16(b, 8, Math.min(0xfffc, (slotSize(b, p, o) + 4) & ~3)),
  },
  'size-in-trailer': {
    what: 'a body grown so that the image ends where the boot magic begins, validly hashed: into the trailer',
    apply: (b, p, o) => sizeInTrailer(b, p, o),
  },
  'tlv-overrun': {
    what: 'a TLV after the hash whose length runs past the end of the TLV area',
    apply: (b, p) => tlvOverrun(b, p),
  },
  truncated: {
    what: 'everything after the middle of the body erased (a download cut short)',
    apply: (b, p) => erase(b, p.body.offset + (p.body.length >> 1), p.size),
  },
  older: {
    what: 'validly re-hashed with the greatest version below `than` (a downgrade)',
    apply: (b, p, o) => resign(b, p, below(needThan(o))),
  },
  'same-version': { what: 'validly re-hashed with the version `than` (a reinstall)', apply: (b, p, o) => resign(b, p, needThan(o)) },
  'protected-tlv': { what: 'a protected TLV (security counter) changed after hashing', apply: (b, p) => changedProtectedTlv(b, p) },
  'not-pending': { what: "the trailer's boot magic erased: a good image no upgrade was asked for", apply: (b, p) => notPending(b, p) },
} satisfies Record<string, Tampering>;

export type TamperKind = keyof typeof TAMPERINGS;
export const TAMPER_KINDS = Object.keys(TAMPERINGS) as TamperKind[];

/**
 * A copy of `image` (a good MCUboot image, padded or not) damaged in one way. Throws RangeError when the input
 * is not a good image or the tampering lacks an option it needs.
 */
export function tamperImage(image: Buffer, kind: TamperKind, options: TamperOptions = {}): Buffer {
  const parsed = parseImage(image);
  if (!parsed.hashOk) throw new RangeError('the image to tamper with must be a good one, but its hash does not match');
  return TAMPERINGS[kind].apply(Buffer.from(image), parsed, options);
}

function flip(b: Buffer, offset: number): Buffer {
  b[offset]! ^= 0x01;
  return b;
}

function withU16(b: Buffer, offset: number, value: number): Buffer {
  b.writeUInt16LE(value, offset);
  return b;
}

function withU32(b: Buffer, offset: number, value: number): Buffer {
  b.writeUInt32LE(value, offset);
  return b;
}

/** Bytes [from, to) as erased flash; an unpadded image simply ends at `from`. */
function erase(b: Buffer, from: number, to: number): Buffer {
  if (to >= b.length) return b.subarray(0, from);
  return b.fill(ERASED, from, to);
}

function hashTlv(p: ParsedImage) {
  const tlv = p.tlvs.find((t) => t.type === TLV_SHA256);
  if (!tlv) throw new RangeError('the image has no SHA-256 TLV');
  return tlv;
}

function slotSize(b: Buffer, p: ParsedImage, o: TamperOptions): number {
  const size = o.slotSize ?? p.trailer?.slotSize;
  if (size === undefined) throw new RangeError(`the slot size is needed and the ${b.length}-byte image is not padded to one`);
  return size;
}

function needThan(o: TamperOptions): ImageVersion {
  if (!o.than) throw new RangeError('needs the version of the running image (than)');
  return o.than;
}

/**
 * The greatest version below `v`: its last non-zero part minus one and every part after it at its largest
 * (1.0.0+0 is followed from below by 0.255.65535+4294967295). A comparison that skips or truncates a part then
 * takes it for newer.
 */
function below(v: ImageVersion): ImageVersion {
  const MAX = { minor: 0xff, revision: 0xffff, buildNum: 0xffffffff };
  if (v.buildNum) return { ...v, buildNum: v.buildNum - 1 };
  if (v.revision) return { ...v, revision: v.revision - 1, buildNum: MAX.buildNum };
  if (v.minor) return { ...v, minor: v.minor - 1, revision: MAX.revision, buildNum: MAX.buildNum };
  if (v.major) return { major: v.major - 1, ...MAX };
  throw new RangeError(`no version is older than ${formatVersion(v)}`);
}

/** The same image with another version, its hash recomputed: valid, just not newer. */
function resign(b: Buffer, p: ParsedImage, v: ImageVersion): Buffer {
  if (compareVersions(v, p.header.version) === 0) return b;
  b.writeUInt8(v.major, 20);
  b.writeUInt8(v.minor, 21);
  b.writeUInt16LE(v.revision, 22);
  b.writeUInt32LE(v.buildNum, 24);
  return rehash(b, p);
}

/** The SHA-256 TLV made to match the hashed bytes again: only what was changed on purpose is wrong. */
function rehash(b: Buffer, p: ParsedImage): Buffer {
  createHash('sha256')
    .update(b.subarray(0, p.hashed.length))
    .digest()
    .copy(b, hashTlv(p).offset + 4);
  return b;
}

/**
 * The body grown with filler until header, body, protected TLVs and TLV area end at the slot's last 16 bytes
 * (the boot magic, kept): a whole, validly hashed image that occupies the trailer a bootloader keeps for
 * itself. Only a size check against the space before the trailer refuses it; one against the slot, or none,
 * takes it.
 */
function sizeInTrailer(b: Buffer, p: ParsedImage, o: TamperOptions): Buffer {
  const slot = slotSize(b, p, o);
  const tlvArea = p.size - p.hashed.length;
  const end = slot - BOOT_MAGIC.length;
  const bodyLength = end - p.header.hdrSize - p.header.protectTlvSize - tlvArea;
  if (bodyLength < p.body.length) throw new RangeError(`the image (${p.size} bytes) already reaches past ${end}`);
  const body = Buffer.concat([b.subarray(p.body.offset, p.body.offset + p.body.length), bodyFill(bodyLength - p.body.length)]);
  const image = Buffer.concat([
    b.subarray(0, p.header.hdrSize),
    body,
    b.subarray(p.body.offset + p.body.length, p.hashed.length),
    b.subarray(p.hashed.length, p.size),
  ]);
  image.writeUInt32LE(bodyLength, 12);
  const out = Buffer.alloc(Math.max(b.length, end), ERASED);
  image.copy(out);
  if (b.length > end) b.copy(out, end, end);
  return rehash(out, parseImage(out));
}

/**
 * One TLV more after the SHA-256 one, its header inside the TLV area (whose size grows by 4) and its length
 * running past the area's end. The hash is intact: only a bound check on each TLV refuses it.
 */
function tlvOverrun(b: Buffer, p: ParsedImage): Buffer {
  const area = p.hashed.length;
  const size = b.readUInt16LE(area + 2);
  if (b.length < p.size + 4) b = Buffer.concat([b, Buffer.alloc(p.size + 4 - b.length, ERASED)]);
  else if (b.subarray(p.size, p.size + 4).some((x) => x !== ERASED)) throw new RangeError('no room after the TLV area');
  b.writeUInt16LE(size + 4, area + 2);
  b.writeUInt16LE(TLV_OVERRUN_TYPE, p.size);
  b.writeUInt16LE(0x100, p.size + 2);
  return b;
}

/** Re-encodes the image with a security counter when it has no protected TLV, then changes that TLV's value. */
function changedProtectedTlv(b: Buffer, p: ParsedImage): Buffer {
  if (p.protectedTlvs.length) return flip(b, p.protectedTlvs[0]!.offset + 4);
  const counter = Buffer.alloc(4);
  counter.writeUInt32LE(1);
  const out = encodeImage({
    body: b.subarray(p.body.offset, p.body.offset + p.body.length),
    version: p.header.version,
    headerSize: p.header.hdrSize,
    loadAddr: p.header.loadAddr,
    flags: p.header.flags,
    protectedTlvs: [{ type: TLV_SEC_CNT, data: counter }],
    tlvs: p.tlvs.filter((t) => t.type !== TLV_SHA256),
    erasedVal: ERASED,
    ...(p.trailer ? { pad: true, slotSize: p.trailer.slotSize, confirm: p.trailer.imageOk === 0x01 } : {}),
  });
  const reparsed = parseImage(out);
  return flip(out, reparsed.protectedTlvs[0]!.offset + 4);
}

/**
 * The boot magic at the slot's end erased, every other byte kept: MCUboot's boot_swap_type reads no request
 * then. An image with no magic (unpadded, or padded without it) is not pending already and comes back as it is.
 */
function notPending(b: Buffer, p: ParsedImage): Buffer {
  if (!p.trailer?.magicOk) return b;
  return b.fill(ERASED, b.length - BOOT_MAGIC.length);
}
