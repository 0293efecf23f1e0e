import { FlashGeometry } from './FlashGeometry.js';
import { INTERNAL, REST, type FlashDevice, type Layout, type RegionRole } from './layoutSchema.js';
import { formatSize, hex } from '../core/size.js';

export { layoutSchema, type Layout } from './layoutSchema.js';

export interface LayoutIssue {
  /** Field path from the rig file's root, e.g. `['layout', 'regions', 'app']`. */
  path: (string | number)[];
  message: string;
}

export interface ResolvedRegion {
  name: string;
  device: string;
  /** Offset from the device base. */
  offset: number;
  /** `...` resolved: up to the next region on the device, or its end. */
  size: number;
  end: number;
  /** Absolute address: device base + offset. */
  address: number;
  role?: RegionRole;
}

const ROLE_BY_NAME: Array<[RegExp, RegionRole]> = [
  [/boot(loader)?|mcuboot/i, 'bootloader'],
  [/header|hdr/i, 'header'],
  [/kv-?store|kvs/i, 'kvstore'],
  [/candidate|storage|download/i, 'candidate'],
  [/factory|golden/i, 'factory'],
  [/scratch/i, 'scratch'],
  [/slot|primary|secondary/i, 'slot'],
  [/^(active[-_]?)?app(lication)?$/i, 'app'],
];

/** The role a region has when the rig does not say: from its name (`kvstore`, `header`, `app`, ...). */
function inferRole(name: string): RegionRole | undefined {
  return ROLE_BY_NAME.find(([re]) => re.test(name))?.[1];
}

function devices(layout: Layout): Map<string, FlashDevice> {
  return new Map([[INTERNAL, layout.flash], ...Object.entries(layout.external)]);
}

/** Regions with sizes and absolute addresses; regions naming an unknown device are left out (checkLayout reports them). */
export function resolveRegions(layout: Layout): ResolvedRegion[] {
  const devs = devices(layout);
  const known = Object.entries(layout.regions).filter(([, r]) => devs.has(r.device));
  return known.map(([name, r]) => {
    const dev = devs.get(r.device)!;
    let size: number;
    if (r.size === REST) {
      const next = known
        .map(([, o]) => o)
        .filter((o) => o.device === r.device && o.offset > r.offset)
        .map((o) => o.offset);
      size = Math.max(0, (next.length ? Math.min(...next) : new FlashGeometry(dev).size) - r.offset);
    } else {
      size = r.size;
    }
    return {
      name,
      device: r.device,
      offset: r.offset,
      size,
      end: r.offset + size,
      address: dev.base + r.offset,
      role: r.role ?? inferRole(name),
    };
  });
}

/** `0xa000..0xb000` on a device at 0, `0x8000..0x8400 (0x08008000..0x08008400)` where the base is not 0. */
function span(start: number, end: number, base: number): string {
  const rel = `${hex(start)}..${hex(end)}`;
  return base === 0 ? rel : `${rel} (${address(base + start, base)}..${address(base + end, base)})`;
}

/** Absolute addresses on a device mapped high are read as 32-bit words: `0x08008400`. */
function address(n: number, base: number): string {
  return base === 0 ? hex(n) : `0x${n.toString(16).padStart(8, '0')}`;
}

/** Where a region's issue points in the rig file. */
function at(name: string): string[] {
  return ['layout', 'regions', name];
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/**
 * Checks a flash layout against the rules a bootloader/update-client layout must keep (Mbed bootloader and
 * MCUboot porting guides): each message starts with the rule's name and gives the numbers involved.
 */
export function checkLayout(layout: Layout): LayoutIssue[] {
  const devs = devices(layout);
  const geometry = new Map([...devs].map(([name, dev]) => [name, new FlashGeometry(dev)]));
  const issues = deviceIssues(layout, devs);
  const regions = resolveRegions(layout);
  for (const r of regions) issues.push(...regionIssues(layout, r, devs.get(r.device)!, geometry.get(r.device)!));
  issues.push(...overlapIssues(layout, regions, devs));
  return issues;
}

/** The alignment and page sizes, the device names, and the device each region names. */
function deviceIssues(layout: Layout, devs: Map<string, FlashDevice>): LayoutIssue[] {
  const issues: LayoutIssue[] = [];
  if (!isPowerOfTwo(layout.vectorAlign)) {
    issues.push({ path: ['layout', 'vectorAlign'], message: `vector-align: ${layout.vectorAlign} is not a power of two` });
  }
  for (const [name, dev] of devs) {
    if (dev.page !== undefined && !isPowerOfTwo(dev.page)) {
      const path = name === INTERNAL ? ['layout', 'flash', 'page'] : ['layout', 'external', name, 'page'];
      issues.push({ path, message: `flash-page: page size ${dev.page} is not a power of two` });
    }
  }
  if (layout.external[INTERNAL]) {
    issues.push({
      path: ['layout', 'external', INTERNAL],
      message: `known-device: "${INTERNAL}" is the internal flash; give the external device another name`,
    });
  }

  for (const [name, r] of Object.entries(layout.regions)) {
    if (!devs.has(r.device)) {
      const names = [...devs.keys()].join(', ');
      issues.push({
        path: [...at(name), 'device'],
        message: `known-device: region ${name} is on device "${r.device}", which the layout does not define (devices: ${names})`,
      });
    }
  }
  return issues;
}

/** The rules for one region on its device: not empty, inside the device, and those of its role. */
function regionIssues(layout: Layout, r: ResolvedRegion, dev: FlashDevice, geo: FlashGeometry): LayoutIssue[] {
  const issues: LayoutIssue[] = [];
  const where = r.device === INTERNAL ? 'flash' : `device ${r.device}`;

  if (r.size === 0) {
    const why = layout.regions[r.name]!.size === REST ? ' ("..." leaves no room before the next region or the device end)' : '';
    issues.push({ path: at(r.name), message: `region-size: region ${r.name} at ${hex(r.offset)} is empty${why}` });
    return issues;
  }
  if (r.end > geo.size) {
    const hint =
      dev.base !== 0 && r.offset >= dev.base
        ? `; offsets are relative to the base ${address(dev.base, dev.base)}, was an absolute address given?`
        : '';
    issues.push({
      path: at(r.name),
      message: `inside-device: region ${r.name} ${span(r.offset, r.end, dev.base)} (${formatSize(r.size)}) ends past the end of ${where} at ${hex(geo.size)} (${formatSize(geo.size)})${hint}`,
    });
    return issues;
  }

  if (r.role === 'header' && !geo.isBoundary(r.offset)) {
    const s = geo.sectorAt(r.offset)!;
    issues.push({
      path: at(r.name),
      message: `header-on-sector-boundary: header ${r.name} starts at ${hex(r.offset)}, inside erase sector ${s.index} (${span(s.start, s.start + s.size, dev.base)}, ${formatSize(s.size)}); the active app header must start on an erase-sector boundary`,
    });
  }
  if (r.role === 'app') {
    if (r.address % layout.vectorAlign !== 0) {
      issues.push({
        path: at(r.name),
        message: `app-vector-aligned: app ${r.name} starts at ${address(r.address, dev.base)}, not a multiple of the vector table alignment ${hex(layout.vectorAlign)} (${formatSize(layout.vectorAlign)}); ${hex(r.address % layout.vectorAlign)} bytes past ${address(r.address - (r.address % layout.vectorAlign), dev.base)}`,
      });
    }
    if (dev.page !== undefined && r.address % dev.page !== 0) {
      issues.push({
        path: at(r.name),
        message: `app-page-aligned: app ${r.name} starts at ${address(r.address, dev.base)}, not a multiple of the flash page size ${hex(dev.page)} (${formatSize(dev.page)})`,
      });
    }
  }
  if (r.role === 'kvstore') {
    const whole = geo.wholeSectors(r.offset, r.end);
    const ragged = !geo.isBoundary(r.offset) || !geo.isBoundary(r.end);
    if (whole < 2 || ragged) {
      const edges = ragged ? ' and does not start and end on erase-sector boundaries (an erase would take a neighbour with it)' : '';
      issues.push({
        path: at(r.name),
        message: `kvstore-two-sectors: kvstore ${r.name} ${span(r.offset, r.end, dev.base)} (${formatSize(r.size)}) spans ${whole} whole erase sector${whole === 1 ? '' : 's'}${edges}; KVStore needs at least 2 whole sectors`,
      });
    }
  }
  return issues;
}

function overlapIssues(layout: Layout, regions: ResolvedRegion[], devs: Map<string, FlashDevice>): LayoutIssue[] {
  const issues: LayoutIssue[] = [];
  const sorted = [...regions].sort((a, b) => a.offset - b.offset);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const a = sorted[i]!;
      const b = sorted[j]!;
      if (a.device !== b.device || b.offset >= a.end || a.size === 0 || b.size === 0) continue;
      const base = devs.get(a.device)!.base;
      const later = Object.keys(layout.regions).indexOf(a.name) > Object.keys(layout.regions).indexOf(b.name) ? a : b;
      const other = later === a ? b : a;
      issues.push({
        path: at(later.name),
        message: `no-overlap: region ${later.name} ${span(later.offset, later.end, base)} overlaps ${other.name} ${span(other.offset, other.end, base)} by ${formatSize(Math.min(a.end, b.end) - b.offset)}`,
      });
    }
  }
  return issues;
}
