import { describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../src/core/errors.js';
import { planRun } from '../../src/run/Run.js';

const BUILD = fileURLToPath(new URL('../../rigs/virtual/firmware/build/', import.meta.url));
const SECONDARY = 0x21020000;
const STAGING = 0x21810000;

/** A project with one scenario on the built-in virtual rig; `top` and `flash` are YAML lines. */
function project(flash: string, top: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'hil-images-'));
  mkdirSync(join(dir, 'scenarios'));
  mkdirSync(join(dir, 'images'));
  copyFileSync(join(BUILD, 'factory.img'), join(dir, 'images', 'old.img'));
  writeFileSync(
    join(dir, 'scenarios', 's.yaml'),
    [
      'name: s',
      'rigs: { name: virtual }',
      ...top,
      'steps:',
      `  - flash: ${flash}`,
      'expect: { model: { initial: a, states: { a: {} } } }',
    ].join('\n'),
  );
  return dir;
}

function plan(cwd: string, images: Record<string, string> = {}) {
  return planRun({ scenarios: ['s'], cwd, images })[0]!;
}

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('images a run adds', () => {
  it('a scenario adds an image placed in a region of its rig, its path taken from the scenario folder', () => {
    const cwd = project('[old]', ['images: { old: { path: ../images/old.img, region: secondary } }']);
    expect(plan(cwd).rig.images['old']).toEqual({
      path: join(cwd, 'images', 'old.img'),
      address: SECONDARY,
      region: { name: 'secondary', address: SECONDARY, size: 0x10000 },
      overriddenBy: 'scenario',
    });
  });

  it('a scenario image naming no region of the rig, or no file, is an error at its line', () => {
    const gone = project('[old]', ['images: { old: { path: ../images/gone.img, region: secondary } }']);
    expect(configError(() => plan(gone))).toMatch(/s\.yaml:3:\d+ images\.old\.path: .*gone\.img: .*no such file/);
    const cwd = project('[old]', ['images: { old: { path: ../images/old.img, region: secondry } }']);
    expect(configError(() => plan(cwd))).toMatch(
      /s\.yaml:3:\d+ images\.old\.region: rig virtual has no region "secondry" \(did you mean "secondary"\?\)/,
    );
  });

  it('--image NAME=PATH@REGION adds an image; without @REGION an unknown name says how to add one', () => {
    const cwd = project('[extra]');
    expect(plan(cwd, { extra: 'images/old.img@staging' }).rig.images['extra']).toEqual({
      path: join(cwd, 'images', 'old.img'),
      address: STAGING,
      region: { name: 'staging', address: STAGING, size: 0x10000 },
      overriddenBy: '--image',
    });
    expect(plan(cwd, { extra: 'images/old.img@0x21820000' }).rig.images['extra']!.address).toBe(0x21820000);
    expect(configError(() => plan(cwd, { extra: 'images/old.img' }))).toMatch(
      /--image: extra=images\/old.img: rig virtual has no image "extra".*add one with extra=PATH@REGION/,
    );
    expect(configError(() => plan(cwd, { extra: 'images/old.img@nowhere' }))).toMatch(/rig virtual has no region "nowhere"/);
  });

  it('an image no rig or scenario defines is an error at the flash step, before any rig is touched', () => {
    expect(configError(() => plan(project('[bootloader, upgrde]')))).toMatch(
      /s\.yaml:4:\d+ steps\[0\]\.flash: rig virtual has no image "upgrde" \(did you mean "upgrade"\?\)/,
    );
  });
});

describe('tampered images in flash steps', () => {
  it('a tamper sweep makes one case per tampering, named in its case id', () => {
    const cwd = project("{ images: [{ image: upgrade, tamper: '${tamper}' }] }", [
      'params: { tamper: [body-byte, bad-magic, size-past-slot] }',
    ]);
    expect(plan(cwd).cases.map((c) => c.id)).toEqual(['s[tamper=body-byte]', 's[tamper=bad-magic]', 's[tamper=size-past-slot]']);
  });

  it('an unknown tampering is an error at its line, naming the sweep point', () => {
    const cwd = project("{ images: [{ image: upgrade, tamper: '${tamper}' }] }", ['params: { tamper: [body-byte, flipped-bit] }']);
    expect(configError(() => plan(cwd))).toMatch(/s\.yaml:5:\d+ steps\[0\]\.flash.*tamper.*body-byte.*\(with tamper=flipped-bit\)/s);
  });

  it('older and same-version need the running image', () => {
    expect(configError(() => plan(project('{ images: [{ image: upgrade, tamper: older }] }')))).toMatch(
      /s\.yaml:4:\d+ steps\[0\]\.flash.*than.*older and same-version need than/,
    );
  });

  it('an image that is not a good MCUboot image cannot be tampered with: an error at the step', () => {
    expect(configError(() => plan(project('{ images: [{ image: bootloader, tamper: body-byte }] }')))).toMatch(
      /s\.yaml:4:\d+ steps\[0\]\.flash: bootloader, tamper body-byte: bad image magic/,
    );
    expect(configError(() => plan(project('{ images: [{ image: upgrade, tamper: older, than: bootloader }] }')))).toMatch(
      /upgrade, tamper older: bad image magic/,
    );
  });
});
