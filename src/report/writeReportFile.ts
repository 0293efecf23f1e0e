import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { RigError } from '../core/errors.js';

/**
 * Writes a report file whole or not at all (a temporary file renamed over it), so CI never reads half a
 * junit.xml after a crash or a full disk. A file that cannot be written is a RigError naming it.
 */
export function writeReportFile(file: string, content: string | readonly Buffer[]): void {
  const temporary = `${file}.${process.pid}.tmp`;
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
    throw new RigError('reports', `cannot write ${file}: ${(err as Error).message}`, { cause: err });
  }
}
