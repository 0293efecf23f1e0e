import { basename, extname } from 'node:path';
import { z } from 'zod';

/** Longest name hil makes a folder or file of (filesystems stop at 255 bytes, and a suffix may follow). */
const MAX_LENGTH = 100;

/**
 * One rule for the names that become folder names (a scenario's report folders, a rig's state folder and lease
 * file): letters, digits, - _ and ., and never `.` or `..`, which would name the folder above.
 */
export function isFileName(name: string): boolean {
  return name.length <= MAX_LENGTH && /^[\w.-]+$/.test(name) && !/^\.+$/.test(name);
}

const RULE = `use letters, digits, - _ and . (not only dots, at most ${MAX_LENGTH})`;

export const fileName = z.string().refine(isFileName, RULE);

/** A rig's or scenario's `name:`, else its file's name by the same rule; or why the file's name will not do. */
export function nameOf(file: string, given: string | undefined): { name: string; problem?: string } {
  const name = given ?? basename(file, extname(file));
  if (isFileName(name)) return { name };
  return { name, problem: `the file name ${JSON.stringify(basename(file))} makes no name (${RULE}): rename the file or give it a name:` };
}

/** `text` (a case id: `name[k=v,...]`) made a folder name by the same rule; `fallback` when nothing is left of it. */
export function toFileName(text: string, fallback: string): string {
  const name = text.replace(/[^\w.=,@+-]+/g, '_').replace(/^_+|_+$/g, '');
  return /^\.*$/.test(name) ? fallback : name;
}
