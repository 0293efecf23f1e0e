import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/image/imageTool.js';
import { parseImage } from '../../src/image/McubootImage.js';

function run(...argv: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(
    argv,
    (s) => out.push(s),
    (s) => err.push(s),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('imageTool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imagetool-'));
  const bin = join(dir, 'app.bin');
  writeFileSync(bin, Buffer.alloc(300, 0x5a));

  it('creates an image and shows it (exit 0 when the hash is good)', () => {
    const img = join(dir, 'app.img');
    const created = run('create', '--header-size', '0x200', '--version', '1.2.3+4', bin, img);
    expect(created.code).toBe(0);
    expect(created.out).toMatch(/app\.img: version 1\.2\.3\+4, 852 bytes, sha256 [0-9a-f]{64}/);
    expect(parseImage(readFileSync(img)).version).toBe('1.2.3+4');
    const shown = run('show', img);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('version          1.2.3+4');
    expect(shown.out).toMatch(/sha256 +[0-9a-f]{64} OK/);
    const json = JSON.parse(run('show', '--json', img).out) as { hashOk: boolean; header: { hdrSize: number } };
    expect(json.hashOk).toBe(true);
    expect(json.header.hdrSize).toBe(0x200);
  });

  it('pads to a slot; show exits 1 on a bad hash and 2 on something that is not an image', () => {
    const img = join(dir, 'padded.img');
    expect(run('create', '--version', '1.1.0', '--pad', '--slot-size', '0x2000', bin, img).code).toBe(0);
    const data = readFileSync(img);
    expect(data.length).toBe(0x2000);
    expect(run('show', img).out).toContain('boot magic set (upgrade pending)');
    data[40] ^= 0xff;
    writeFileSync(img, data);
    const bad = run('show', img);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('MISMATCH');
    const notImage = run('show', bin);
    expect(notImage.code).toBe(2);
    expect(notImage.err).toContain('bad image magic 0x5a5a5a5a');
  });

  it('fills an image to a size with a deterministic filler that has no erased-looking word', () => {
    const [a, b] = ['full-a.img', 'full-b.img'].map((name) => {
      const img = join(dir, name);
      expect(run('create', '--header-size', '0x200', '--version', '1.0.0', '--fill-to', '0xffc0', bin, img).code).toBe(0);
      return readFileSync(img);
    });
    expect(a!.equals(b!)).toBe(true);
    const parsed = parseImage(a!);
    expect([parsed.size, parsed.hashOk]).toEqual([0xffc0, true]);
    expect(a!.subarray(0x200, 0x200 + 300).equals(readFileSync(bin))).toBe(true);
    const words = Array.from({ length: parsed.body.length >> 2 }, (_, i) => a!.readUInt32LE(parsed.body.offset + 4 * i));
    expect(words.filter((w) => w === 0xffffffff)).toEqual([]);
    expect(run('create', '--version', '1.0.0', '--fill-to', '100', bin, join(dir, 'small.img')).err).toContain('already 372 bytes');
  });

  it('writes the flash map JSON with image placements', () => {
    const h = join(dir, 'map.h');
    writeFileSync(
      h,
      [
        '#define FLASH_NV_BASE 0x21000000',
        '#define FLASH_NV_SIZE 0x01000000',
        '#define FLASH_SECTOR_SIZE 0x1000',
        '#define FLASH_WORD_SIZE 4',
        '#define FLASH_IMAGE_HDR_SIZE 0x200',
        '#define FLASH_TRAILER_SIZE 0x40',
        '#define FLASH_PRIMARY_BASE 0x21010000 /* primary */',
        '#define FLASH_PRIMARY_SIZE 0x00010000',
      ].join('\n'),
    );
    const out = join(dir, 'map.json');
    expect(run('flashmap', h, '--image', 'app=app.img@PRIMARY', '-o', out).code).toBe(0);
    const map = JSON.parse(readFileSync(out, 'utf8'));
    expect(map.regions.primary).toEqual({ base: 0x21010000, size: 0x10000, nvOffset: 0x10000 });
    expect(map.images.app).toEqual({ file: 'app.img', address: 0x21010000, region: 'primary', nvOffset: 0x10000 });
  });

  it('explains usage errors with exit 2', () => {
    const r = run('create', bin);
    expect(r.code).toBe(2);
    expect(r.err).toContain('create needs --version');
    expect(run('frobnicate').err).toContain('unknown command "frobnicate"');
    expect(run('create', '--version', '1.0.0', '--header-size', 'big', bin, join(dir, 'x.img')).err).toContain(
      '--header-size: "big" is not a number',
    );
  });
});
