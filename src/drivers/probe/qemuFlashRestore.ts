import { changedRanges } from '../../flash/changedRanges.js';
import { readWhole } from '../../flash/readWhole.js';
import type { QemuBoard } from '../../virtual/QemuBoard.js';

/**
 * Makes each named flash file (an `nv` entry, by id) hold `bytes`: the ranges that differ from what it holds now
 * are written through qtest into the paused QEMU of the board's next power-on, as a flash step writes a board
 * that is off. False when the board cannot take it so (power on, powerCycle restart, a file with no address).
 * `reads`: buffers the files are read into, by name, kept for the next call.
 */
export async function restoreFlashFiles(
  board: QemuBoard,
  part: string,
  files: Array<{ name: string; bytes: Buffer }>,
  reads: Map<string, Buffer>,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const paths = new Map(board.flashFiles().map((f) => [f.name, f.path]));
  const at = new Map(board.options.nv.map((nv) => [nv.id, nv.address]));
  if (files.some((f) => at.get(f.name) === undefined || !paths.has(f.name))) return false;
  const done = await board.whileOff(part, async (write) => {
    for (const f of files) {
      const now = await readWhole(paths.get(f.name)!, reads.get(f.name)).catch(() => Buffer.alloc(0));
      reads.set(f.name, now);
      for (const { offset, length } of changedRanges(now, f.bytes)) {
        signal?.throwIfAborted();
        await write(at.get(f.name)! + offset, f.bytes.subarray(offset, offset + length));
      }
    }
  });
  return done !== undefined;
}
