import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** The executable a bare command name resolves to on PATH, or undefined; absolute paths are checked as given. */
export function findOnPath(cmd: string, path: string = process.env.PATH ?? ''): string | undefined {
  const candidates =
    isAbsolute(cmd) || cmd.includes('/')
      ? [cmd]
      : path
          .split(delimiter)
          .filter(Boolean)
          .map((dir) => join(dir, cmd));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}
