import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readWhole } from '../flash/readWhole.js';
import { hasFlashFiles } from '../protocols/Probe.js';
import type { StepContext } from './Step.js';

/** The property naming the flash images a case's cuts left, in its folder (kept only when the case does not pass). */
export const FLASH_AT_CUT = 'flash_at_cut';
/** The property saying why a cut's flash images are not in the case folder. */
const FLASH_AT_CUT_ERROR = 'flash_at_cut_error';

/** A flash image a cut left: its name in the case folder and its bytes. */
export interface FlashAtCut {
  name: string;
  bytes: Buffer;
}

type FlashAtCutContext = Pick<StepContext, 'rig' | 'caseDir' | 'timeline' | 'note'>;

/** The images the cuts of each case under way left, by case folder, until its end says whether to keep them. */
const held = new Map<string, FlashAtCut[]>();

/**
 * Takes the board's flash files as the cut left them: `flash-at-cut.img`, then `flash-at-cut-2.img` for a second
 * cut (`flash-at-cut.NAME.img` when the board has several). Only where the flash is a file (an emulated board)
 * and the board is off (`known`: their bytes, where the caller has them). Held in memory: `settleFlashAtCut` writes them into the case folder when the case does
 * not pass (`hil debug` and a person need them) and drops them when it does, which most cases of a sweep do
 * (a 16 MiB copy per cut, written and deleted, cost more than the read).
 *
 * The copies are evidence, not the test: one that cannot be read leaves the case without it (said on its
 * timeline and in FLASH_AT_CUT_ERROR) and returns none, rather than ending the case in an error that counted
 * towards the quarantine of a rig that was fine.
 */
export async function keepFlashAtCut(ctx: FlashAtCutContext, known?: Array<{ name: string; bytes: Buffer }>): Promise<FlashAtCut[]> {
  const probe = ctx.rig.probe;
  if (!hasFlashFiles(probe)) return [];
  const files = probe.flashFiles();
  if (!files.length) return [];
  const kept = held.get(ctx.caseDir) ?? [];
  const level = new Set(kept.map((k) => /^flash-at-cut(?:-(\d+))?\./.exec(k.name)![1] ?? '1')).size + 1;
  try {
    const taken = await Promise.all(
      files.map(async (f) => ({
        name: `flash-at-cut${level > 1 ? `-${level}` : ''}${files.length > 1 ? `.${f.name}` : ''}.img`,
        bytes: known?.find((k) => k.name === f.name)?.bytes ?? (await readWhole(f.path)),
      })),
    );
    held.set(ctx.caseDir, [...kept, ...taken]);
    ctx.note(FLASH_AT_CUT, [...kept, ...taken].map((k) => k.name).join(' '));
    return taken;
  } catch (err) {
    const message = (err as Error).message;
    ctx.timeline.record('cleanup', { part: 'reports', error: `flash at the cut not kept: ${message}` });
    ctx.note(FLASH_AT_CUT_ERROR, message);
    return [];
  }
}

/**
 * The case is over: its cuts' flash images are written into its folder (`keep`) or dropped, and its properties
 * say which. A folder that is full or read-only leaves the case without them (FLASH_AT_CUT_ERROR says why), never
 * with half a set: a report that names them must hold them all.
 */
export async function settleFlashAtCut(caseDir: string, keep: boolean, properties: Record<string, string>): Promise<void> {
  const kept = held.get(caseDir);
  held.delete(caseDir);
  if (!kept?.length) return;
  if (!keep) {
    delete properties[FLASH_AT_CUT];
    return;
  }
  try {
    await mkdir(caseDir, { recursive: true });
    await Promise.all(kept.map((k) => writeFile(join(caseDir, k.name), k.bytes)));
  } catch (err) {
    delete properties[FLASH_AT_CUT];
    properties[FLASH_AT_CUT_ERROR] = (err as Error).message;
  }
}
