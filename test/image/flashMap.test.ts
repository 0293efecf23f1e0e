import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlashMapHeader, placeImage, type FlashMap } from '../../src/image/flashMap.js';

const FIRMWARE = join(dirname(fileURLToPath(import.meta.url)), '../../rigs/virtual/firmware');
const header = readFileSync(join(FIRMWARE, 'flash_map.h'), 'utf8');

describe('flash map of the virtual board', () => {
  const map = parseFlashMapHeader(header);

  it('reads every FLASH_<NAME>_BASE/SIZE pair of flash_map.h as a region', () => {
    expect(Object.keys(map.regions).sort()).toEqual(['bootloader', 'factory', 'primary', 'scratch', 'secondary', 'staging']);
    expect(map.nv).toEqual({ base: 0x21000000, size: 0x1000000 });
    expect(map.regions.bootloader).toEqual({ base: 0x21000000, size: 0x10000, nvOffset: 0 });
    expect(map.regions.primary).toEqual({ base: 0x21010000, size: 0x10000, nvOffset: 0x10000 });
    expect(map.regions.factory).toEqual({ base: 0x21800000, size: 0x10000, nvOffset: 0x800000 });
    expect(map.sectorSize).toBe(4096);
    expect(map.imageHeaderSize).toBe(0x200);
  });

  it('keeps every region sector-aligned, inside the NV file and apart from the others', () => {
    const list = Object.entries(map.regions).sort((a, b) => a[1].base - b[1].base);
    for (const [name, r] of list) {
      expect({ name, base: r.base % map.sectorSize, size: r.size % map.sectorSize }).toEqual({ name, base: 0, size: 0 });
      expect(r.nvOffset).toBeDefined();
      expect(r.base + r.size).toBeLessThanOrEqual(map.nv.base + map.nv.size);
    }
    for (let i = 1; i < list.length; i++) {
      const [prevName, prev] = list[i - 1]!;
      const [name, r] = list[i]!;
      expect({ gap: `${prevName} < ${name}`, ok: prev.base + prev.size <= r.base }).toEqual({ gap: `${prevName} < ${name}`, ok: true });
    }
    const external = map.constants.FLASH_EXTERNAL_BASE!;
    expect(map.regions.factory!.base).toBeGreaterThanOrEqual(external);
    expect(map.regions.primary!.base).toBeLessThan(external);
  });

  it('build/flash_map.json is what flash_map.h says (regenerate with make)', () => {
    const json = JSON.parse(readFileSync(join(FIRMWARE, 'build/flash_map.json'), 'utf8')) as FlashMap;
    expect(json.regions).toEqual(map.regions);
    expect(json.constants).toEqual(map.constants);
    expect(json.images?.factory).toEqual({ file: 'factory.img', address: 0x21800000, region: 'factory', nvOffset: 0x800000 });
    expect(json.images?.bootrom).toEqual({ file: 'bootrom.bin', address: 0 });
  });

  it('places images by region name or address, and names a missing region', () => {
    expect(placeImage(map, 'upgrade=upgrade.img@staging')[1]).toMatchObject({ address: 0x21810000, nvOffset: 0x810000 });
    expect(placeImage(map, 'x=x.bin@0x21020000')[1]).toEqual({ file: 'x.bin', address: 0x21020000, nvOffset: 0x20000 });
    expect(() => placeImage(map, 'x=x.bin@nowhere')).toThrow(/no region "nowhere" \(have bootloader/);
    expect(() => placeImage(map, 'junk')).toThrow(/bad image placement/);
  });

  it('says which define is missing', () => {
    expect(() => parseFlashMapHeader('#define FLASH_NV_BASE 0x0\n', 'x.h')).toThrow('x.h: no numeric #define FLASH_NV_SIZE');
  });
});
