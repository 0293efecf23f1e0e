import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/core/errors.js';
import { buildVariant, checkPatches } from '../../src/teeth/buildVariant.js';
import type { TeethSpec } from '../../src/teeth/TeethFile.js';

/** A firmware folder whose "build" copies src/fw.c to out/fw.bin, failing when the source says so. */
let root: string;
let spec: TeethSpec;
const never = new AbortController().signal;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'hil-teethbuild-'));
  mkdirSync(join(root, 'fw/src'), { recursive: true });
  writeFileSync(join(root, 'fw/src/fw.c'), 'good\n');
  // As make takes VAR=value arguments.
  writeFileSync(
    join(root, 'fw/build.sh'),
    'for a in "$@"; do export "$a"; done\nif grep error src/fw.c; then echo "fw.c:2: $EXTRA error" >&2; exit 1; fi\nmkdir -p out && cat src/fw.c > out/fw.bin && echo "$EXTRA" >> out/fw.bin\n',
  );
  writeFileSync(join(root, 'comment.patch'), '--- a/src/fw.c\n+++ b/src/fw.c\n@@ -1 +1,2 @@\n good\n+/* a comment */\n');
  writeFileSync(join(root, 'broken.patch'), '--- a/src/fw.c\n+++ b/src/fw.c\n@@ -1 +1,2 @@\n good\n+error: broken\n');
  writeFileSync(join(root, 'stale.patch'), '--- a/src/fw.c\n+++ b/src/fw.c\n@@ -1 +1 @@\n-older\n+newer\n');
  spec = {
    file: 'teeth.yaml',
    build: {
      dir: join(root, 'fw'),
      command: 'sh build.sh',
      commandAt: { file: 'teeth.yaml' },
      output: 'out/fw.bin',
      image: 'bootloader',
      timeoutMs: 10_000,
    },
    scenarios: [],
    mutants: [],
  };
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('building a variant', () => {
  it('patches and builds a copy in the state folder, never the build folder itself', async () => {
    const built = await buildVariant(spec, { name: 'commented', patch: join(root, 'comment.patch') }, join(root, 'state'), never);
    expect(built).toEqual(expect.objectContaining({ ok: true, image: join(root, 'state/teeth/commented/tree/out/fw.bin') }));
    expect(readFileSync(join(root, 'state/teeth/commented/tree/out/fw.bin'), 'utf8')).toBe('good\n/* a comment */\n\n');
    expect(readFileSync(join(root, 'fw/src/fw.c'), 'utf8')).toBe('good\n');
  });

  it('appends flags to the build command', async () => {
    const built = await buildVariant(spec, { name: 'flagged', flags: 'EXTRA=-DFAULT' }, join(root, 'state'), never);
    expect(built.ok && readFileSync(built.image, 'utf8')).toBe('good\n-DFAULT\n');
  });

  it('reports a build that fails with the tail of its output, and one that hangs as timed out', async () => {
    expect(await buildVariant(spec, { name: 'broken', patch: join(root, 'broken.patch') }, join(root, 'state'), never)).toEqual({
      ok: false,
      why: 'exit 1',
      tail: 'error: broken\nfw.c:2:  error',
    });
    const hung = { ...spec, build: { ...spec.build, command: 'sleep 60', timeoutMs: 300 } };
    expect(await buildVariant(hung, { name: 'hung', flags: '' }, join(root, 'state'), never)).toEqual({
      ok: false,
      why: 'timed out after 300ms',
      tail: '',
    });
  });

  it('refuses a patch that does not apply, naming the mutant and where the file names the patch, before building anything', async () => {
    const stale = {
      name: 'stale',
      patch: join(root, 'stale.patch'),
      patchAt: { file: 'teeth.yaml', line: 9, col: 24, field: 'mutants[2].patch' },
    };
    const refused = checkPatches({ ...spec, mutants: [{ name: 'commented', patch: join(root, 'comment.patch') }, stale] }, never);
    await expect(refused).rejects.toThrow(ConfigError);
    await expect(refused).rejects.toThrow(
      /^teeth\.yaml:9:24 mutants\[2\]\.patch: mutant stale: .*stale\.patch does not apply to .*fw \(patch -p1\):\n.*FAILED/s,
    );
    expect(readFileSync(join(root, 'fw/src/fw.c'), 'utf8')).toBe('good\n');
  });
});
