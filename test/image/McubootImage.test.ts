import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BOOT_MAGIC,
  encodeImage,
  IMAGE_MAGIC,
  ImageFormatError,
  parseImage,
  TLV_SHA256,
  trailerSize,
} from '../../src/image/McubootImage.js';
import { compareVersions, formatVersion, parseVersion } from '../../src/image/imageVersion.js';

const FIRMWARE = join(dirname(fileURLToPath(import.meta.url)), '../../rigs/virtual/firmware');
const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7 + 3) & 0xff));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ImageFormatError) return e.code;
    throw e;
  }
  return undefined;
}

describe('encodeImage / parseImage', () => {
  it('round-trips header fields, body and a good SHA-256', () => {
    const buf = encodeImage({ body, version: '1.1.0+0', headerSize: 0x200, loadAddr: 0, flags: 0 });
    const img = parseImage(buf);
    expect(img.header).toMatchObject({ magic: IMAGE_MAGIC, hdrSize: 0x200, imgSize: 1000, protectTlvSize: 0, loadAddr: 0, flags: 0 });
    expect(img.version).toBe('1.1.0+0');
    expect(img.header.version).toEqual({ major: 1, minor: 1, revision: 0, buildNum: 0 });
    expect(buf.subarray(img.body.offset, img.body.offset + img.body.length)).toEqual(body);
    expect(img.hashOk).toBe(true);
    expect(img.tlvs.map((t) => t.type)).toEqual([TLV_SHA256]);
    expect(img.size).toBe(buf.length);
    expect(img.size).toBe(0x200 + 1000 + 4 + 4 + 32);
    expect(img.trailer).toBeUndefined();
  });

  it('lays the header out as struct image_header (little endian), padding with erased bytes', () => {
    const buf = encodeImage({ body, version: '2.3.258+67305985', headerSize: 0x40, loadAddr: 0x12345678, flags: 0x10 });
    expect(buf.readUInt32LE(0)).toBe(0x96f3b83d);
    expect(buf.readUInt32LE(4)).toBe(0x12345678);
    expect(buf.readUInt16LE(8)).toBe(0x40);
    expect(buf.readUInt16LE(10)).toBe(0);
    expect(buf.readUInt32LE(12)).toBe(1000);
    expect(buf.readUInt32LE(16)).toBe(0x10);
    expect([...buf.subarray(20, 28)]).toEqual([2, 3, 0x02, 0x01, 0x01, 0x02, 0x03, 0x04]);
    expect(buf.readUInt32LE(28)).toBe(0);
    expect(buf.subarray(32, 0x40).every((b) => b === 0xff)).toBe(true);
    // TLV info right after the body: magic 0x6907, total size, then SHA-256 TLV (type 0x10, len 32)
    expect(buf.readUInt16LE(0x40 + 1000)).toBe(0x6907);
    expect(buf.readUInt16LE(0x40 + 1002)).toBe(4 + 4 + 32);
    expect(buf.readUInt16LE(0x40 + 1004)).toBe(0x10);
    expect(buf.readUInt16LE(0x40 + 1006)).toBe(32);
  });

  it('covers the protected TLVs with the hash', () => {
    const buf = encodeImage({
      body,
      version: '1.0.0',
      protectedTlvs: [{ type: 0x50, data: Buffer.from([1, 0, 0, 0]) }],
      tlvs: [{ type: 0xa0, data: Buffer.from('hi') }],
    });
    const img = parseImage(buf);
    expect(img.header.protectTlvSize).toBe(4 + 4 + 4);
    expect(img.protectedTlvs).toEqual([{ type: 0x50, offset: 32 + 1000 + 4, data: Buffer.from([1, 0, 0, 0]) }]);
    expect(img.tlvs.map((t) => t.type)).toEqual([0x10, 0xa0]);
    expect(img.hashed.length).toBe(32 + 1000 + 12);
    expect(img.hashOk).toBe(true);
    const tampered = Buffer.from(buf);
    tampered[img.protectedTlvs[0]!.offset + 4] = 2;
    expect(parseImage(tampered).hashOk).toBe(false);
  });

  it('fails the hash when one body byte is flipped', () => {
    const buf = encodeImage({ body, version: '1.1.0+0', headerSize: 0x200 });
    buf[0x200 + 123]! ^= 0x01;
    const img = parseImage(buf);
    expect(img.hashOk).toBe(false);
    expect(img.hash).toBeDefined();
    expect(img.computedHash.equals(img.hash!)).toBe(false);
  });

  it('fails the hash when the version in the header is changed', () => {
    const buf = encodeImage({ body, version: '1.1.0+0' });
    buf[21] = 2;
    expect(parseImage(buf).hashOk).toBe(false);
  });

  it('reports no hash when the SHA-256 TLV is missing', () => {
    const buf = encodeImage({ body, version: '1.0.0' });
    buf.writeUInt16LE(0x11, 32 + 1000 + 4); // retype the SHA-256 TLV
    const img = parseImage(buf);
    expect(img.hash).toBeUndefined();
    expect(img.hashOk).toBe(false);
  });

  it('pads to the slot with the boot magic (upgrade pending), like imgtool --pad', () => {
    const buf = encodeImage({ body, version: '1.1.0+0', headerSize: 0x200, pad: true, slotSize: 0x10000 });
    expect(buf.length).toBe(0x10000);
    expect(buf.subarray(0x10000 - 16)).toEqual(BOOT_MAGIC);
    const img = parseImage(buf);
    expect(img.hashOk).toBe(true);
    expect(img.trailer).toEqual({ slotSize: 0x10000, magicOk: true, imageOk: 0xff });
    expect(buf.subarray(img.size, 0x10000 - 16).every((b) => b === 0xff)).toBe(true);
    const confirmed = encodeImage({ body, version: '1.1.0', pad: true, slotSize: 0x2000, confirm: true });
    expect(parseImage(confirmed).trailer?.imageOk).toBe(1);
    expect(trailerSize()).toBe(32);
  });

  it('refuses options that cannot make an image', () => {
    expect(codeOf(() => encodeImage({ body, version: '1.0.0', headerSize: 16 }))).toBe('BAD_OPTION');
    expect(codeOf(() => encodeImage({ body, version: '1.0.0', pad: true }))).toBe('BAD_OPTION');
    expect(codeOf(() => encodeImage({ body, version: '1.0.0', pad: true, slotSize: 1024 }))).toBe('BAD_OPTION');
    expect(() => encodeImage({ body, version: 'one' })).toThrow(/invalid image version "one"/);
    expect(() => encodeImage({ body, version: '256.0.0' })).toThrow(/major 256 is over 255/);
  });

  it('gives clear errors for a bad magic, erased flash and truncated buffers', () => {
    const buf = encodeImage({ body, version: '1.0.0', headerSize: 0x200 });
    const bad = Buffer.from(buf);
    bad.writeUInt32LE(0x12345678, 0);
    expect(codeOf(() => parseImage(bad))).toBe('BAD_MAGIC');
    expect(() => parseImage(bad)).toThrow('bad image magic 0x12345678, expected 0x96f3b83d');
    expect(() => parseImage(Buffer.alloc(64, 0xff))).toThrow(/erased flash/);
    expect(codeOf(() => parseImage(buf.subarray(0, 20)))).toBe('TRUNCATED');
    expect(codeOf(() => parseImage(buf.subarray(0, 0x200 + 500)))).toBe('TRUNCATED');
    expect(codeOf(() => parseImage(buf.subarray(0, buf.length - 1)))).toBe('TRUNCATED');
    const noTlv = Buffer.from(buf);
    noTlv.writeUInt16LE(0x1234, 0x200 + 1000);
    expect(codeOf(() => parseImage(noTlv))).toBe('BAD_TLV');
    const smallHdr = Buffer.from(buf);
    smallHdr.writeUInt16LE(8, 8);
    expect(codeOf(() => parseImage(smallHdr))).toBe('BAD_HEADER');
  });
});

describe('image versions', () => {
  it('parses, formats and compares like MCUboot', () => {
    expect(parseVersion('1.2.3+4')).toEqual({ major: 1, minor: 2, revision: 3, buildNum: 4 });
    expect(parseVersion('1.2')).toEqual({ major: 1, minor: 2, revision: 0, buildNum: 0 });
    expect(formatVersion(parseVersion('1.1.0'))).toBe('1.1.0+0');
    expect(formatVersion(parseVersion('1.1.0+7'), { withBuild: false })).toBe('1.1.0');
    expect(compareVersions(parseVersion('1.1.0'), parseVersion('1.0.9+99'))).toBeGreaterThan(0);
    expect(compareVersions(parseVersion('1.0.0+1'), parseVersion('1.0.0+2'))).toBeLessThan(0);
    expect(compareVersions(parseVersion('1.0.0'), parseVersion('1.0.0+0'))).toBe(0);
  });
});

describe('the committed virtual-board images', () => {
  const build = (name: string): Buffer => readFileSync(join(FIRMWARE, 'build', name));

  it('build/factory.img is factory app 1.0.0 with a good hash, body = factory.bin', () => {
    const buf = build('factory.img');
    const img = parseImage(buf);
    expect(img.version).toBe('1.0.0+0');
    expect(img.header.hdrSize).toBe(0x200);
    expect(img.hashOk).toBe(true);
    expect(img.size).toBe(buf.length);
    expect(buf.subarray(img.body.offset, img.body.offset + img.body.length)).toEqual(build('factory.bin'));
  });

  it('build/upgrade.img is 1.1.0, padded to the 64 KiB secondary slot with the upgrade-pending magic', () => {
    const img = parseImage(build('upgrade.img'));
    expect(img.version).toBe('1.1.0+0');
    expect(img.hashOk).toBe(true);
    expect(img.trailer).toMatchObject({ slotSize: 0x10000, magicOk: true });
  });

  it('the apps are linked to run after the header in the primary slot', () => {
    for (const name of ['factory.bin', 'upgrade.bin']) {
      const bin = build(name);
      const [sp, reset] = [bin.readUInt32LE(0), bin.readUInt32LE(4)];
      expect(sp).toBe(0x20040000);
      expect(reset & 1).toBe(1);
      expect(reset).toBeGreaterThan(0x21010200);
      expect(reset).toBeLessThan(0x21010200 + bin.length);
    }
  });
});
