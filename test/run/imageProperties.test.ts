import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeImage } from '../../src/image/McubootImage.js';
import { imageProperties } from '../../src/run/imageProperties.js';
import type { RigSpec } from '../../src/rig/RigSpec.js';

/** What a case records of each image it flashes, for the report's header. */
describe('imageProperties', () => {
  it('records path, sha256, an MCUboot header version, and which images the run replaced', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-image-props-'));
    const signed = encodeImage({ body: Buffer.alloc(256, 0x5a), version: '1.2.3+4' });
    writeFileSync(join(dir, 'app.img'), signed);
    writeFileSync(join(dir, 'bootloader.bin'), Buffer.alloc(64, 1));
    const rig = {
      images: {
        app: { path: join(dir, 'app.img'), address: 0 },
        bootloader: { path: join(dir, 'bootloader.bin'), address: 0, overriddenBy: '--image' },
        gone: { path: join(dir, 'gone.bin') },
      },
    } as unknown as RigSpec;
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(await imageProperties(rig)).toEqual({
      'image.app.path': join(dir, 'app.img'),
      'image.app.sha256': sha(signed),
      'image.app.version': '1.2.3+4',
      'image.bootloader.path': join(dir, 'bootloader.bin'),
      'image.bootloader.sha256': sha(Buffer.alloc(64, 1)),
      'image.bootloader.overridden': '--image',
      'image.gone.path': join(dir, 'gone.bin'),
    });
  });

  it('reads an image again once its file changed (a rebuild, a copy over it), however soon', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-image-props-'));
    const path = join(dir, 'app.bin');
    const rig = { images: { app: { path, address: 0 } } } as unknown as RigSpec;
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    writeFileSync(path, Buffer.alloc(64, 1));
    expect((await imageProperties(rig))['image.app.sha256']).toBe(sha(Buffer.alloc(64, 1)));
    expect((await imageProperties(rig))['image.app.sha256']).toBe(sha(Buffer.alloc(64, 1)));
    // Same size, written at once: the file's change time (or inode, for a copy over it) tells it apart.
    writeFileSync(path, Buffer.alloc(64, 2));
    expect((await imageProperties(rig))['image.app.sha256']).toBe(sha(Buffer.alloc(64, 2)));
    const other = join(dir, 'other.bin');
    writeFileSync(other, Buffer.alloc(64, 3));
    renameSync(other, path);
    expect((await imageProperties(rig))['image.app.sha256']).toBe(sha(Buffer.alloc(64, 3)));
  });
});
