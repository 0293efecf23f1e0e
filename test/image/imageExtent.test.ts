import { describe, expect, it } from '@jest/globals';
import { imageExtent } from '../../src/image/imageExtent.js';
import { encodeImage, IMAGE_HEADER_SIZE, ImageFormatError, parseImage, TLV_INFO_SIZE } from '../../src/image/McubootImage.js';

const body = Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 13 + 5) & 0xff));
const plain = encodeImage({ body, version: '1.0.0+0' });
const rich = encodeImage({
  body,
  version: '1.2.3+4',
  headerSize: 0x200,
  protectedTlvs: [
    { type: 0x50, data: Buffer.from([1, 0, 0, 0]) },
    { type: 0x51, data: Buffer.alloc(40, 7) },
  ],
  tlvs: [{ type: 0x22, data: Buffer.alloc(64, 9) }],
});
const SLOT = 0x10000;
const inSlot = (image: Buffer): Buffer => Buffer.concat([image, Buffer.alloc(SLOT - image.length, 0xff)]);

/** What a reader that follows imageExtent ends up with, starting from the first `first` bytes. */
function follow(slot: Buffer, first: number): Buffer {
  let data = slot.subarray(0, first);
  for (let end = imageExtent(data); end !== undefined && end > data.length && end <= slot.length; end = imageExtent(data)) {
    data = slot.subarray(0, end);
  }
  return data;
}

describe('imageExtent', () => {
  it('is the size of the image, protected TLVs and all, once the prefix holds the TLV info', () => {
    expect(imageExtent(plain)).toBe(plain.length);
    expect(imageExtent(rich)).toBe(rich.length);
    expect(imageExtent(inSlot(rich))).toBe(rich.length);
    expect(parseImage(rich).protectedTlvs).toHaveLength(2);
    expect(imageExtent(rich.subarray(0, parseImage(rich).hashed.length + TLV_INFO_SIZE))).toBe(rich.length);
  });

  it('parseImage judges a buffer that ends exactly at the end of the TLV area as it judges the whole slot', () => {
    for (const image of [plain, rich]) {
      const exact = parseImage(inSlot(image).subarray(0, imageExtent(image)));
      const whole = parseImage(inSlot(image));
      expect(exact.hashOk).toBe(true);
      expect({ version: exact.version, hashOk: exact.hashOk, tlvs: exact.tlvs }).toEqual({
        version: whole.version,
        hashOk: whole.hashOk,
        tlvs: whole.tlvs,
      });
    }
  });

  it('on a truncated prefix, says how far to read to learn more: the header, then the TLV info', () => {
    const hashedEnd = parseImage(rich).hashed.length;
    expect(imageExtent(rich.subarray(0, 4))).toBe(IMAGE_HEADER_SIZE);
    expect(imageExtent(rich.subarray(0, 20))).toBe(IMAGE_HEADER_SIZE);
    expect(imageExtent(rich.subarray(0, IMAGE_HEADER_SIZE))).toBe(hashedEnd + TLV_INFO_SIZE);
    expect(imageExtent(rich.subarray(0, hashedEnd + TLV_INFO_SIZE - 1))).toBe(hashedEnd + TLV_INFO_SIZE);
  });

  it('from any first read, following it ends with exactly the image', () => {
    const slot = inSlot(rich);
    for (let first = 4; first <= rich.length + 10; first += 37) {
      const data = follow(slot, first);
      expect(data.length).toBe(Math.max(first, rich.length));
      expect(parseImage(data).hashOk).toBe(true);
    }
  });

  it('a header claiming an image beyond the slot gives an end past the slot, and the bytes read are judged cut', () => {
    const huge = Buffer.from(plain);
    huge.writeUInt32LE(SLOT, 12);
    const slot = inSlot(plain);
    huge.copy(slot);
    expect(imageExtent(slot.subarray(0, 4096))).toBe(IMAGE_HEADER_SIZE + SLOT + TLV_INFO_SIZE);
    const data = follow(slot, 4096);
    expect(data.length).toBe(4096);
    expect(() => parseImage(data)).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
    expect(() => parseImage(slot)).toThrow(ImageFormatError);
  });

  it('a malformed header or TLV info ends where it shows, and parseImage rejects those bytes as it rejects the slot', () => {
    const badHeader = Buffer.from(plain);
    badHeader.writeUInt16LE(8, 8);
    expect(imageExtent(badHeader)).toBe(IMAGE_HEADER_SIZE);
    const badInfo = Buffer.from(plain);
    const hashedEnd = parseImage(plain).hashed.length;
    badInfo.writeUInt16LE(0x1234, hashedEnd);
    expect(imageExtent(badInfo)).toBe(hashedEnd + TLV_INFO_SIZE);
    const tinyInfo = Buffer.from(plain);
    tinyInfo.writeUInt16LE(2, hashedEnd + 2);
    expect(imageExtent(tinyInfo)).toBe(hashedEnd + TLV_INFO_SIZE);
    for (const image of [badHeader, badInfo, tinyInfo]) {
      const code = (buf: Buffer) => {
        try {
          parseImage(buf);
        } catch (e) {
          return (e as ImageFormatError).code;
        }
        return 'ok';
      };
      expect(code(inSlot(image).subarray(0, imageExtent(image)))).toBe(code(inSlot(image)));
    }
  });

  it('is undefined without the image magic: erased flash, garbage, fewer than 4 bytes', () => {
    expect(imageExtent(Buffer.alloc(4096, 0xff))).toBeUndefined();
    expect(imageExtent(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31 + 1) & 0xff)))).toBeUndefined();
    expect(imageExtent(plain.subarray(0, 3))).toBeUndefined();
    expect(imageExtent(Buffer.alloc(0))).toBeUndefined();
  });
});
