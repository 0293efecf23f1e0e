import { lstatSync } from 'node:fs';
import { inspectInputFile } from '../config/inputFile.js';
import { ConfigError } from '../core/errors.js';
import { formatSize, hex } from '../core/size.js';
import { FootprintError, formatSpan, imageFootprint } from './imageFootprint.js';

/** A layout region an image is written into. */
export interface ImageRegion {
  name: string;
  address: number;
  size: number;
}

/**
 * The region an image must stay inside: the one it names, else the one its address falls in. undefined when the
 * rig's layout says neither (an image carrying its own addresses may then cover several regions: bootloader
 * and app in one HEX).
 */
export function regionOf(
  image: { address?: number; region?: string },
  regions: Record<string, { address: number; size: number }>,
): ImageRegion | undefined {
  if (image.region !== undefined) {
    const r = regions[image.region];
    return r && { name: image.region, ...r };
  }
  if (image.address === undefined) return undefined;
  const hit = Object.entries(regions).find(([, r]) => image.address! >= r.address && image.address! < r.address + r.size);
  return hit && { name: hit[0], ...hit[1] };
}

function holds(region: ImageRegion): string {
  return `region ${region.name} holds (${region.size} bytes, ${formatSize(region.size)}, at ${hex(region.address)})`;
}

/**
 * Why the image at `path` (written at `address` if it is a raw binary) cannot go into `region`: it is larger,
 * it starts or ends outside it (and so over the regions next to it), or, for an MCUboot image, its header
 * declares more than the region holds. undefined when it fits. The file must be a regular file:
 * ConfigError otherwise.
 */
function placementProblem(
  path: string,
  address: number | undefined,
  region: ImageRegion,
  options: { headerMayLie?: boolean } = {},
): string | undefined {
  let footprint;
  try {
    footprint = imageFootprint(path, address ?? region.address);
  } catch (err) {
    if (err instanceof FootprintError) return `cannot be placed: ${err.message}`;
    throw err;
  }
  const end = region.address + region.size;
  if (footprint.format === 'binary' && footprint.fileSize > region.size) {
    const size = formatSize(footprint.fileSize);
    return `is ${footprint.fileSize} bytes${size.endsWith(' bytes') ? '' : ` (${size})`}, more than ${holds(region)}`;
  }
  if (footprint.declaredSize !== undefined && footprint.declaredSize > region.size && !options.headerMayLie) {
    return `has an MCUboot header declaring ${footprint.declaredSize} bytes (header + image + TLV area), more than ${holds(region)}`;
  }
  const outside = (footprint.spans ?? []).find((s) => s.start < region.address || s.end > end);
  if (outside) {
    const where = `${hex(region.address)}..${hex(end)}`;
    return `writes ${formatSpan(outside)}, outside region ${region.name} (${where}), over ${outside.start < region.address ? 'what lies before it' : 'what follows it'}`;
  }
  return undefined;
}

/**
 * Why the image file at `path` cannot be flashed where the rig puts it, to follow `path: `: not a
 * regular file, or not fitting its region (when it has one). With `missingOk`, a file that does not exist yet
 * (a build output) is no problem; with `headerMayLie` (a tampered image), an MCUboot header declaring more than
 * the region is none either.
 */
export function imageFileProblem(
  path: string,
  address: number | undefined,
  region: ImageRegion | undefined,
  options: { missingOk?: boolean; headerMayLie?: boolean } = {},
): string | undefined {
  try {
    if (!region) {
      inspectInputFile(path, { maxBytes: Number.MAX_SAFE_INTEGER });
      return undefined;
    }
    return placementProblem(path, address, region, options);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (options.missingOk && absent(path)) return undefined;
    return err.issues[0]!.message;
  }
}

/** Nothing at all at `path` (a dangling symlink is something: a mistake worth reporting). */
function absent(path: string): boolean {
  try {
    lstatSync(path);
    return false;
  } catch {
    return true;
  }
}
