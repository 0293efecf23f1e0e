import { accessSync, constants, lstatSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, type SourceLocation } from './errors.js';
import { pseudoFileSystem } from './pseudoFileSystem.js';

/**
 * The one way hil makes a folder a user named (`--report-dir`, `--out`, `HIL_STATE_DIR`). Node's recursive mkdir
 * spins forever under /proc (mkdir there answers ENOENT though the parent exists) and only says ENOENT or
 * ENOTDIR elsewhere, so the path is checked first, before a lease is taken or a board powered: its nearest
 * existing ancestor must be a directory on a filesystem meant for files, and writable by us.
 */

function kind(st: Stats): string {
  if (st.isFile()) return 'a file';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a directory';
}

function errnoReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be looked into (permission denied)';
  if (code === 'ELOOP') return 'has too many levels of symbolic links';
  if (code === 'ENAMETOOLONG') return 'is too long a path';
  return (err as Error).message;
}

/** What is wrong with making `path` (and writing in it), or undefined when nothing is. */
export function outputDirProblem(path: string, purpose: string): string | undefined {
  let at = resolve(path);
  for (;;) {
    let st: Stats;
    try {
      st = statSync(at);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return `${at} ${errnoReason(err)}`;
      const link = tryLstat(at);
      if (link?.isSymbolicLink()) return `${at} is a symbolic link to ${readlinkSync(at)}, which does not exist`;
      if (dirname(at) === at) return `${at} does not exist`;
      at = dirname(at);
      continue;
    }
    if (!st.isDirectory()) return `${at} is ${kind(st)}, not a directory`;
    const fs = pseudoFileSystem(at);
    if (fs) return `${at} is not a place for ${purpose} (${fs})`;
    try {
      accessSync(at, constants.W_OK | constants.X_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EROFS') return `${at} is read-only`;
      if (code === 'EACCES' || code === 'EPERM') return `${at} is not writable by this user (uid ${process.getuid?.() ?? '?'})`;
      return `${at}: ${(err as Error).message}`;
    }
    return undefined;
  }
}

function tryLstat(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * What is wrong with creating or overwriting the file `path`: an existing one must be a regular file hil may write
 * (not on a read-only disk), a missing one needs a folder hil could make and write in.
 */
export function outputFileProblem(path: string, purpose: string): string | undefined {
  const st = tryLstat(path);
  if (!st) return outputDirProblem(dirname(path), purpose);
  if (!st.isFile())
    return `${path} is ${st.isDirectory() ? 'a directory' : st.isSymbolicLink() ? 'a symbolic link' : kind(st)}, not a regular file`;
  try {
    accessSync(path, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EROFS') return `${path} is on a read-only filesystem`;
    if (code === 'EACCES' || code === 'EPERM') return `${path} is not writable by this user (uid ${process.getuid?.() ?? '?'})`;
    return `${path}: ${(err as Error).message}`;
  }
  return undefined;
}

/** Refuses (exit 2, naming the option or variable that gave the path) a folder hil could not make or write in. */
export function checkOutputDir(path: string, where: SourceLocation, purpose: string): void {
  const problem = outputDirProblem(path, purpose);
  if (problem) throw new ConfigError({ ...where, message: `${path}: ${problem}` });
}
