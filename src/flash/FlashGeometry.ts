import type { FlashDevice } from './layoutSchema.js';

export interface Sector {
  index: number;
  /** Offset from the device base. */
  start: number;
  size: number;
}

interface Run {
  firstIndex: number;
  start: number;
  count: number;
  size: number;
}

/**
 * The erase-sector map of one flash device, by arithmetic over `[count, size]` runs, so an SD card of
 * millions of 512-byte sectors costs no more than a 12-sector STM32 bank.
 */
export class FlashGeometry {
  readonly size: number;
  private readonly runs: Run[] = [];

  constructor(device: Pick<FlashDevice, 'banks' | 'sectors'>) {
    let start = 0;
    let index = 0;
    for (let bank = 0; bank < device.banks; bank++) {
      for (const [count, size] of device.sectors) {
        this.runs.push({ firstIndex: index, start, count, size });
        start += count * size;
        index += count;
      }
    }
    this.size = start;
  }

  /** The sector holding `offset`, or undefined past the end. */
  sectorAt(offset: number): Sector | undefined {
    for (const run of this.runs) {
      const end = run.start + run.count * run.size;
      if (offset >= run.start && offset < end) {
        const i = Math.floor((offset - run.start) / run.size);
        return { index: run.firstIndex + i, start: run.start + i * run.size, size: run.size };
      }
    }
    return undefined;
  }

  /** True at a sector start and at the device end. */
  isBoundary(offset: number): boolean {
    if (offset === this.size) return true;
    return this.sectorAt(offset)?.start === offset;
  }

  /** Sectors lying entirely within [start, end). */
  wholeSectors(start: number, end: number): number {
    let n = 0;
    for (const run of this.runs) {
      const runEnd = run.start + run.count * run.size;
      const from = Math.max(start, run.start);
      const to = Math.min(end, runEnd);
      if (to <= from) continue;
      const first = Math.ceil((from - run.start) / run.size);
      const last = Math.floor((to - run.start) / run.size);
      n += Math.max(0, last - first);
    }
    return n;
  }
}
