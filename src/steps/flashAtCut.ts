import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { hasFlashFiles } from '../protocols/Probe.js';
import type { StepContext } from './Step.js';

/** The property naming the flash images a case's cuts left, in its folder (kept only when the case does not pass). */
export const FLASH_AT_CUT = 'flash_at_cut';

/**
 * Copies the board's flash files as the cut left them into the case folder: `flash-at-cut.img`, then
 * `flash-at-cut-2.img` for a second cut (`flash-at-cut.NAME.img` when the board has several). Only where the
 * flash is a file (an emulated board) and the board is off. Returns the paths written.
 *
 * The copies are evidence, not the test: a report folder that is full or read-only leaves the case without them
 * (said on its timeline and in FLASH_AT_CUT_ERROR) and returns none, rather than ending the case in an error
 * that counted towards the quarantine of a rig that was fine.
 */
export async function keepFlashAtCut(ctx: FlashAtCutContext): Promise<string[]> {
  try {
    return await copyFlashAtCut(ctx);
  } catch (err) {
    const message = (err as Error).message;
    ctx.timeline.record('cleanup', { part: 'reports', error: `flash at the cut not kept: ${message}` });
    ctx.note(FLASH_AT_CUT_ERROR, message);
    return [];
  }
}

/** The property saying why a cut's flash images are not in the case folder. */
const FLASH_AT_CUT_ERROR = 'flash_at_cut_error';

type FlashAtCutContext = Pick<StepContext, 'rig' | 'caseDir' | 'timeline' | 'note'>;

async function copyFlashAtCut(ctx: FlashAtCutContext): Promise<string[]> {
  const probe = ctx.rig.probe;
  if (!hasFlashFiles(probe)) return [];
  const files = probe.flashFiles();
  if (!files.length) return [];
  await mkdir(ctx.caseDir, { recursive: true });
  const taken = (await readdir(ctx.caseDir)).filter((f) => /^flash-at-cut(-\d+)?\./.test(f));
  const levels = new Set(taken.map((f) => /^flash-at-cut(?:-(\d+))?\./.exec(f)![1] ?? '1'));
  const level = levels.size + 1;
  // Names relative to the case folder: the report links them from there.
  const names = files.map((f) => `flash-at-cut${level > 1 ? `-${level}` : ''}${files.length > 1 ? `.${f.name}` : ''}.img`);
  const copies = await Promise.allSettled(files.map((f, i) => copyFile(f.path, join(ctx.caseDir, names[i]!))));
  const failed = copies.find((c) => c.status === 'rejected');
  if (failed) {
    // No half set of images: a report that names them must hold them all.
    await Promise.all(names.map((n) => rm(join(ctx.caseDir, n), { force: true })));
    throw failed.reason;
  }
  ctx.note(FLASH_AT_CUT, [...taken, ...names].join(' '));
  return names.map((n) => join(ctx.caseDir, n));
}
