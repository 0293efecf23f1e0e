import { RigError } from '../../core/errors.js';
import { imageFileProblem } from '../../flash/imagePlacement.js';
import type { FlashImage } from '../../protocols/Probe.js';

/**
 * Refuses, before the tool runs, images a probe must not write: not a regular file (a FIFO would hang the
 * tool), or larger than their region or outside it. The run checks this before taking the rig; probes check
 * again, whoever calls them, because a write past a region destroys what follows it (a factory image).
 */
export function guardRegions(images: FlashImage[], part: string): void {
  for (const image of images) {
    const problem = imageFileProblem(image.path, image.address, image.region, { headerMayLie: image.tampered });
    if (problem) throw new RigError(part, `refusing to flash ${image.name}: ${image.path}: ${problem}`);
  }
}
