/**
 * The virtual board's flash map, read from the firmware's `flash_map.h` (the single source
 * of truth): every `#define FLASH_<NAME>_BASE 0x…` with its `FLASH_<NAME>_SIZE` is a region.
 * `imageTool flashmap` writes it as build/flash_map.json for the rest of the project.
 */

interface FlashRegion {
  base: number;
  size: number;
  /** Offset of `base` in the NV file (the board's flash), if the region is inside it. */
  nvOffset?: number;
}

export interface FlashImagePlacement {
  file: string;
  address: number;
  /** Region the image is written to, when it was placed by region name. */
  region?: string;
  /** Offset in the NV file; absent for the boot ROM (loaded at 0x0 with -kernel). */
  nvOffset?: number;
}

export interface FlashMap {
  source: string;
  nv: { base: number; size: number };
  sectorSize: number;
  wordSize: number;
  imageHeaderSize: number;
  trailerSize: number;
  /** Lower-case region names: bootloader, primary, secondary, scratch, factory, staging, … */
  regions: Record<string, FlashRegion>;
  /** Every numeric `#define` of the header, by name. */
  constants: Record<string, number>;
  images?: Record<string, FlashImagePlacement>;
}

/** Container ranges, reported apart from the regions they hold. */
const CONTAINERS = new Set(['NV', 'EXTERNAL']);

const DEFINE_RE = /^\s*#\s*define\s+([A-Z][A-Z0-9_]*)\s+\(?\s*(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*\)?\s*(?:\/[*/].*)?$/;

export function parseFlashMapHeader(text: string, source = 'flash_map.h'): FlashMap {
  const constants: Record<string, number> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = DEFINE_RE.exec(line);
    if (m?.[1] && m[2]) constants[m[1]] = Number(m[2]);
  }
  const need = (name: string): number => {
    const v = constants[name];
    if (v === undefined) throw new Error(`${source}: no numeric #define ${name}`);
    return v;
  };
  const nv = { base: need('FLASH_NV_BASE'), size: need('FLASH_NV_SIZE') };
  const regions: Record<string, FlashRegion> = {};
  for (const name of Object.keys(constants)) {
    const m = /^FLASH_([A-Z0-9_]+)_BASE$/.exec(name);
    if (!m?.[1] || CONTAINERS.has(m[1])) continue;
    const base = need(name);
    const size = need(`FLASH_${m[1]}_SIZE`);
    const region: FlashRegion = { base, size };
    if (base >= nv.base && base + size <= nv.base + nv.size) region.nvOffset = base - nv.base;
    regions[m[1].toLowerCase()] = region;
  }
  return {
    source,
    nv,
    sectorSize: need('FLASH_SECTOR_SIZE'),
    wordSize: need('FLASH_WORD_SIZE'),
    imageHeaderSize: need('FLASH_IMAGE_HDR_SIZE'),
    trailerSize: need('FLASH_TRAILER_SIZE'),
    regions,
    constants,
  };
}

/** `name=file@REGION` or `name=file@0xADDR`: where an image goes, for the JSON. */
export function placeImage(map: FlashMap, spec: string): [string, FlashImagePlacement] {
  const m = /^([\w-]+)=([^@]+)@(.+)$/.exec(spec);
  if (!m?.[1] || !m[2] || !m[3]) throw new Error(`bad image placement "${spec}" (expected name=file@REGION or name=file@0xADDR)`);
  const [, name, file, where] = m;
  const placement: FlashImagePlacement = { file, address: 0 };
  if (/^(0x[0-9a-f]+|\d+)$/i.test(where)) {
    placement.address = Number(where);
  } else {
    const region = map.regions[where.toLowerCase()];
    if (!region) throw new Error(`image "${name}": no region "${where}" (have ${Object.keys(map.regions).join(', ')})`);
    placement.address = region.base;
    placement.region = where.toLowerCase();
  }
  if (placement.address >= map.nv.base && placement.address < map.nv.base + map.nv.size) {
    placement.nvOffset = placement.address - map.nv.base;
  }
  return [name, placement];
}
