import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectInputFile, readInputFile, readInputText } from '../../src/config/inputFile.js';
import { ConfigError } from '../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'hil-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('not refused');
}

describe('readInputFile', () => {
  it('reads a regular file', () => {
    writeFileSync(join(dir, 'a.yaml'), 'name: a\n');
    expect(readInputText(join(dir, 'a.yaml'), { maxBytes: 100 })).toBe('name: a\n');
  });

  it('refuses a FIFO at once instead of waiting for a writer', () => {
    const fifo = join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    expect(refusal(() => readInputFile(fifo, { maxBytes: 100, name: 'pipe.yaml' }))).toBe(
      'pipe.yaml: is a FIFO (named pipe); only regular files are read',
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses devices, also behind a symlink, and directories', () => {
    symlinkSync('/dev/zero', join(dir, 'zero.bin'));
    expect(refusal(() => readInputFile(join(dir, 'zero.bin'), { maxBytes: 100 }))).toMatch(
      /zero\.bin: is a character device; only regular files are read$/,
    );
    expect(refusal(() => readInputFile(dir, { maxBytes: 100 }))).toMatch(/: is a directory; only regular files are read$/);
  });

  it('refuses a file over the cap before reading it, naming both sizes', () => {
    writeFileSync(join(dir, 'big.yaml'), 'x'.repeat(101));
    expect(refusal(() => readInputFile(join(dir, 'big.yaml'), { maxBytes: 100, name: 'big.yaml' }))).toBe(
      'big.yaml: file is 101 bytes; the limit is 100',
    );
  });

  it('refuses a procfs or sysfs file, whose size says nothing and whose text the kernel makes up', () => {
    expect(refusal(() => readInputFile('/proc/self/maps', { maxBytes: 10 }))).toBe(
      '/proc/self/maps: is a procfs file, made up by the kernel as it is read; only files on disk are read',
    );
    expect(refusal(() => inspectInputFile('/sys/kernel/mm/transparent_hugepage/enabled', { maxBytes: 10 }))).toMatch(/: is a sysfs file,/);
  });

  it('names the field that named the file, quoting the path', () => {
    const at = { file: 'rigs/r.yaml', line: 12, col: 11, field: 'images.app.path' };
    expect(refusal(() => inspectInputFile(join(dir, 'missing.bin'), { maxBytes: 100, at }))).toBe(
      `rigs/r.yaml:12:11 images.app.path: ${join(dir, 'missing.bin')}: no such file`,
    );
  });
});
