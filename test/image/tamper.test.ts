import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BOOT_MAGIC, encodeImage, ImageFormatError, parseImage } from '../../src/image/McubootImage.js';
import { parseVersion } from '../../src/image/imageVersion.js';
import { TAMPER_KINDS, tamperImage, type TamperKind } from '../../src/image/tamper.js';

const BUILD = join(dirname(fileURLToPath(import.meta.url)), '../../rigs/virtual/firmware/build');
const upgrade = readFileSync(join(BUILD, 'upgrade.img'));
const factory = readFileSync(join(BUILD, 'factory.img'));
const SLOT = 0x10000;
const than = parseVersion('1.0.0');

/** What a validating bootloader would say of the bytes: the parse error, a bad hash, or the version of a good image. */
function verdict(buf: Buffer): string {
  try {
    const p = parseImage(buf);
    return p.hashOk ? `valid ${p.version}` : p.hash ? 'bad hash' : 'no hash';
  } catch (err) {
    if (err instanceof ImageFormatError) return err.code;
    throw err;
  }
}

const EXPECTED: Record<TamperKind, string> = {
  'body-byte': 'bad hash',
  'bad-hash': 'bad hash',
  'no-hash': 'no hash',
  'no-tlv': 'BAD_TLV',
  'bad-magic': 'BAD_MAGIC',
  'size-past-slot': 'TRUNCATED',
  'header-past-slot': 'TRUNCATED',
  'size-in-trailer': 'valid 1.1.0+0',
  'tlv-overrun': 'BAD_TLV',
  truncated: 'BAD_TLV',
  older: 'valid 0.255.65535+4294967295',
  'same-version': 'valid 1.0.0+0',
  'protected-tlv': 'bad hash',
  'not-pending': 'valid 1.1.0+0',
};
/** The kinds that spoil the image itself and leave the upgrade pending. */
const SPOILING = TAMPER_KINDS.filter((kind) => kind !== 'not-pending');

describe('tamperImage', () => {
  it.each(SPOILING)('%s spoils the padded upgrade image in its own way and keeps the pending trailer', (kind) => {
    expect(verdict(upgrade)).toBe('valid 1.1.0+0');
    const bad = tamperImage(upgrade, kind, { slotSize: SLOT, than });
    expect(verdict(bad)).toBe(EXPECTED[kind]);
    expect(bad.length).toBe(SLOT);
    expect(bad.subarray(SLOT - 16)).toEqual(BOOT_MAGIC);
    expect(upgrade.equals(readFileSync(join(BUILD, 'upgrade.img')))).toBe(true);
  });

  it('not-pending keeps the image valid and byte for byte, and erases only the boot magic', () => {
    const unmarked = tamperImage(upgrade, 'not-pending', { slotSize: SLOT });
    expect(verdict(unmarked)).toBe(EXPECTED['not-pending']);
    expect(parseImage(unmarked).trailer).toEqual({ slotSize: SLOT, magicOk: false, imageOk: 0xff });
    expect(unmarked.subarray(SLOT - 16)).toEqual(Buffer.alloc(16, 0xff));
    expect(unmarked.subarray(0, SLOT - 16).equals(upgrade.subarray(0, SLOT - 16))).toBe(true);
    // An image with no magic is not pending already: nothing to take away.
    expect(tamperImage(factory, 'not-pending').equals(factory)).toBe(true);
    expect(tamperImage(unmarked, 'not-pending').equals(unmarked)).toBe(true);
  });

  it('works on an unpadded image, which gets shorter where it loses its tail', () => {
    expect(tamperImage(factory, 'no-tlv').length).toBe(parseImage(factory).hashed.length);
    expect(verdict(tamperImage(factory, 'truncated'))).toBe('TRUNCATED');
    expect(verdict(tamperImage(factory, 'body-byte'))).toBe('bad hash');
  });

  it('sizes past the slot: header and body together end past the slot end', () => {
    const img = parseImage(upgrade);
    const sized = tamperImage(upgrade, 'size-past-slot', { slotSize: SLOT });
    expect(sized.readUInt16LE(8) + sized.readUInt32LE(12)).toBe(SLOT + 4);
    expect(sized.readUInt16LE(8)).toBe(img.header.hdrSize);
    const header = tamperImage(upgrade, 'header-past-slot', { slotSize: SLOT });
    expect(header.readUInt16LE(8) + header.readUInt32LE(12)).toBeGreaterThan(SLOT);
  });

  it('size-in-trailer: a whole, validly hashed image ending where the boot magic begins', () => {
    const img = parseImage(upgrade);
    for (const input of [upgrade, readFileSync(join(BUILD, 'upgrade-full.img'))]) {
      const grown = parseImage(tamperImage(input, 'size-in-trailer', { slotSize: SLOT }));
      expect(grown.size).toBe(SLOT - 16);
      expect(grown.hashOk).toBe(true);
      expect(grown.trailer).toMatchObject({ slotSize: SLOT, magicOk: true });
      expect(grown.tlvs.map((t) => t.type)).toEqual(img.tlvs.map((t) => t.type));
    }
    const grown = tamperImage(upgrade, 'size-in-trailer', { slotSize: SLOT });
    expect(grown.subarray(img.body.offset, img.body.offset + img.body.length)).toEqual(
      upgrade.subarray(img.body.offset, img.body.offset + img.body.length),
    );
    // An unpadded image is grown to the same end, with no trailer to keep.
    expect(parseImage(tamperImage(factory, 'size-in-trailer', { slotSize: SLOT })).size).toBe(SLOT - 16);
  });

  it('bad-magic and tlv-overrun leave the hash matching: only the check they aim at refuses them', () => {
    const magic = tamperImage(upgrade, 'bad-magic');
    magic[0]! ^= 0x01;
    expect(verdict(magic)).toBe('bad hash'); // the hash was taken over the flipped magic
    const overrun = tamperImage(upgrade, 'tlv-overrun');
    const img = parseImage(upgrade);
    expect(overrun.readUInt16LE(img.hashed.length + 2)).toBe(img.size - img.hashed.length + 4);
    expect(overrun.readUInt16LE(img.size + 2)).toBe(0x100);
    expect(
      overrun
        .subarray(0, img.size)
        .equals(
          Buffer.concat([
            upgrade.subarray(0, img.hashed.length + 2),
            overrun.subarray(img.hashed.length + 2, img.hashed.length + 4),
            upgrade.subarray(img.hashed.length + 4, img.size),
          ]),
        ),
    ).toBe(true);
    expect(tamperImage(factory, 'tlv-overrun').length).toBe(factory.length + 4);
  });

  it('older is the greatest version below the running one, so a comparison that skips a part is caught', () => {
    const older = (v: string) => parseImage(tamperImage(upgrade, 'older', { than: parseVersion(v) })).version;
    expect(older('1.0.0')).toBe('0.255.65535+4294967295');
    expect(older('1.1.0')).toBe('1.0.65535+4294967295');
    expect(older('1.1.2')).toBe('1.1.1+4294967295');
    expect(older('1.1.2+7')).toBe('1.1.2+6');
  });

  it('a protected TLV already there is changed in place', () => {
    const withProt = encodeImage({
      body: Buffer.alloc(64, 1),
      version: '2.0.0',
      protectedTlvs: [{ type: 0x50, data: Buffer.from([1, 0, 0, 0]) }],
    });
    const bad = tamperImage(withProt, 'protected-tlv');
    expect(bad.length).toBe(withProt.length);
    expect(verdict(bad)).toBe('bad hash');
    expect(parseImage(bad).protectedTlvs[0]!.data).not.toEqual(parseImage(withProt).protectedTlvs[0]!.data);
  });

  it('refuses a bad input image, and a downgrade or slot tampering without what it needs', () => {
    expect(() => tamperImage(tamperImage(upgrade, 'body-byte'), 'older', { than })).toThrow(/must be a good one/);
    expect(() => tamperImage(factory, 'older')).toThrow(/than/);
    expect(() => tamperImage(factory, 'size-past-slot')).toThrow(/slot size/);
    expect(() => tamperImage(factory, 'older', { than: parseVersion('0.0.0') })).toThrow(/no version is older than 0.0.0/);
    expect(() => tamperImage(Buffer.from('not an image at all, just text'), 'body-byte')).toThrow(ImageFormatError);
  });
});
