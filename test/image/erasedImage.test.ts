import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureErasedImage } from '../../src/image/erasedImage.js';
import { rigErrorOf } from '../helpers/driverContext.js';

describe('the flash file hil creates', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hil-erased-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is created erased, at its size', async () => {
    await ensureErasedImage(join(dir, 'new', 'nv.img'), 4096, 'power');
    expect(await readFile(join(dir, 'new', 'nv.img'))).toEqual(Buffer.alloc(4096, 0xff));
  });

  it('never takes over a link to another file as the board flash', async () => {
    const other = join(dir, 'someone-elses.bin');
    await writeFile(other, Buffer.alloc(4096, 0x5a));
    await symlink(other, join(dir, 'linked.img'));
    const err = await rigErrorOf(ensureErasedImage(join(dir, 'linked.img'), 4096, 'power'));
    expect(err.message).toMatch(/linked\.img is not a regular file/);
    expect(await readFile(other)).toEqual(Buffer.alloc(4096, 0x5a));
  });

  it('is not started when the folder has no room for it: nothing written', async () => {
    const err = await rigErrorOf(ensureErasedImage(join(dir, 'full', 'nv.img'), 1 << 20, 'power', async () => 4096));
    expect(err.message).toBe(`no room for flash image ${join(dir, 'full', 'nv.img')}: it needs 1048576 bytes, 4096 are free`);
    expect(await readdir(join(dir, 'full'))).toEqual([]);
  });
});
