import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { link, mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RigError } from '../core/errors.js';

/**
 * Writes a report file whole or not at all (a temporary file renamed over it), so CI never reads half a
 * junit.xml after a crash or a full disk. A file that cannot be written is a RigError naming it.
 */
export function writeReportFile(file: string, content: string | readonly Buffer[]): void {
  const temporary = temporaryOf(file);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temporary, typeof content === 'string' ? content : Buffer.concat(content));
    renameSync(temporary, file);
  } catch (err) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Nothing was written there either.
    }
    throw cannotWrite(file, err);
  }
}

/**
 * writeReportFile off the event loop (the writes go to libuv's threads, the chunks as they are, never joined),
 * for files rewritten while cases run: a run's results.json and junit.xml grow to megabytes, and writing them on
 * the loop stalled every job's console and cuts. Each of `copies` gets the same bytes as a hard link to `file`
 * (written out when no link can be made), replaced whole as `file` is. Each file is tried even when one fails;
 * the first failure is the RigError thrown. Two writes to the same file must not overlap.
 */
export async function writeReportFileAsync(file: string, chunks: readonly Buffer[], copies: readonly string[] = []): Promise<void> {
  let failure: RigError | undefined;
  let written: string | undefined;
  for (const target of [file, ...copies]) {
    try {
      if (!written || !(await linkTemporary(written, target))) await writeTemporary(target, chunks);
      await rename(temporaryOf(target), target);
      written ??= target;
    } catch (err) {
      await rm(temporaryOf(target), { force: true }).catch(() => undefined);
      failure ??= err instanceof RigError ? err : cannotWrite(target, err);
    }
  }
  if (failure) throw failure;
}

/** `target`'s temporary as a hard link to `written`; false when the file system makes none (another device, no links). */
async function linkTemporary(written: string, target: string): Promise<boolean> {
  const temporary = temporaryOf(target);
  try {
    await link(written, temporary).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
      await rm(temporary, { force: true });
      await link(written, temporary);
    });
    return true;
  } catch {
    return false;
  }
}

async function writeTemporary(file: string, chunks: readonly Buffer[]): Promise<void> {
  const temporary = temporaryOf(file);
  try {
    const handle = await openMaking(temporary);
    try {
      let left = chunks.filter((c) => c.length > 0);
      while (left.length) {
        const { bytesWritten } = await handle.writev(left);
        left = unwritten(left, bytesWritten);
      }
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw cannotWrite(file, err);
  }
}

/** Opens `file` for writing, making its folder only when it is missing (asking each time cost more than the write). */
async function openMaking(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'w');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dirname(file), { recursive: true });
    return await open(file, 'w');
  }
}

/** What a short write left of `chunks`. */
function unwritten(chunks: Buffer[], written: number): Buffer[] {
  let at = 0;
  while (at < chunks.length && written >= chunks[at]!.length) written -= chunks[at++]!.length;
  return at < chunks.length ? [chunks[at]!.subarray(written), ...chunks.slice(at + 1)] : [];
}

function temporaryOf(file: string): string {
  return `${file}.${process.pid}.tmp`;
}

function cannotWrite(file: string, err: unknown): RigError {
  return new RigError('reports', `cannot write ${file}: ${(err as Error).message}`, { cause: err });
}
