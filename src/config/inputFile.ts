import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { ConfigError, type SourceLocation } from '../core/errors.js';
import { pseudoFileSystem } from '../core/pseudoFileSystem.js';

/**
 * The one way hil opens a file a user named (scenario, rig, image). Only regular files are read: a FIFO would
 * block forever, `/dev/zero` never ends, a directory or a device is never meant. Nothing larger than
 * `maxBytes` is read, whatever the file claims, so one file cannot exhaust memory.
 */
export interface InputFileOptions {
  /** Larger files are refused before a byte is read. */
  maxBytes: number;
  /** How messages name the file when they point at it (e.g. relative to the working directory); the path by default. */
  name?: string;
  /**
   * Point messages at the field that named the file instead (`rig.yaml:12:11 images.app.path`); the path is
   * then quoted in the message.
   */
  at?: SourceLocation;
}

function kind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function problem(path: string, options: InputFileOptions, why: string): ConfigError {
  if (options.at) return new ConfigError({ ...options.at, message: `${path}: ${why}` });
  return new ConfigError({ file: options.name ?? path, message: why });
}

function errnoReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'not readable (permission denied)';
  if (code === 'ENOTDIR') return 'a parent of it is not a directory';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  if (code === 'ENAMETOOLONG') return 'the path is too long';
  return (err as Error).message;
}

function checkStats(path: string, st: Stats, options: InputFileOptions): void {
  if (!st.isFile()) throw problem(path, options, `is ${kind(st)}; only regular files are read`);
  if (st.size > options.maxBytes) throw problem(path, options, `file is ${st.size} bytes; the limit is ${options.maxBytes}`);
}

/** Checks without opening (opening a device or a FIFO can have effects of its own); returns the file's size. */
export function inspectInputFile(path: string, options: InputFileOptions): { size: number } {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    throw problem(path, options, errnoReason(err));
  }
  // /proc/self/status is a "regular file" of size 0 whose text the kernel makes up as it is read.
  const fs = st.isFile() ? pseudoFileSystem(path) : undefined;
  if (fs) throw problem(path, options, `is a ${fs} file, made up by the kernel as it is read; only files on disk are read`);
  checkStats(path, st, options);
  return { size: st.size };
}

/**
 * An open descriptor on the file, after the checks of `inspectInputFile`, repeated on the descriptor (the path
 * may have changed in between), for reading parts of a large file (an image's headers). The caller closes it.
 */
export function openInputFile(path: string, options: InputFileOptions): { fd: number; size: number } {
  inspectInputFile(path, options);
  let fd: number;
  try {
    // O_NONBLOCK: should the path have become a FIFO since the check, the open does not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    throw problem(path, options, errnoReason(err));
  }
  try {
    const st = fstatSync(fd);
    checkStats(path, st, options);
    return { fd, size: st.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Up to `length` bytes at `position` of a descriptor `openInputFile` gave (fewer at the end of the file). */
export function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buffer.subarray(0, done);
}

/** The file's bytes, after the checks of `openInputFile`. */
export function readInputFile(path: string, options: InputFileOptions): Buffer {
  const { fd } = openInputFile(path, options);
  try {
    // Read up to one byte past the cap: files under /proc report size 0, and a file can grow after fstat.
    const buf = Buffer.alloc(Math.min(options.maxBytes + 1, 64 * 1024));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, options.maxBytes + 1 - total), null);
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
      total += n;
      if (total > options.maxBytes)
        throw problem(path, options, `file is over ${options.maxBytes} bytes; the limit is ${options.maxBytes}`);
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw problem(path, options, errnoReason(err));
  } finally {
    closeSync(fd);
  }
}

/** As `readInputFile`, decoded as UTF-8 (bytes that are not become U+FFFD, for the caller to point at). */
export function readInputText(path: string, options: InputFileOptions): string {
  return readInputFile(path, options).toString('utf8');
}
