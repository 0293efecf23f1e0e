import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageFileProblem } from '../../src/flash/imagePlacement.js';

const dir = mkdtempSync(join(tmpdir(), 'hil-placement-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const region = { name: 'bootloader', address: 0x21000000, size: 0x10000 };

describe('an image larger than its region', () => {
  it('names its size once when it is no whole unit, and in MiB besides when it is', () => {
    writeFileSync(join(dir, 'odd.bin'), Buffer.alloc(70_000));
    writeFileSync(join(dir, 'whole.bin'), Buffer.alloc(2 * 1024 * 1024));
    expect(imageFileProblem(join(dir, 'odd.bin'), undefined, region)).toBe(
      'is 70000 bytes, more than region bootloader holds (65536 bytes, 64 KiB, at 0x21000000)',
    );
    expect(imageFileProblem(join(dir, 'whole.bin'), undefined, region)).toMatch(/^is 2097152 bytes \(2 MiB\), more than region bootloader/);
  });
});
