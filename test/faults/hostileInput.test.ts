import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil } from '../helpers/hilCli.js';

/**
 * Every file in test/fixtures/bad/corpus/ is hostile (malformed YAML, wrong types, unknown keys, ReDoS-prone
 * patterns, alias bombs, deep nesting, binary bytes, models with no reachable final state, image paths outside
 * the project...). Each must give exactly one message naming the file (and its line, when it has one), exit
 * 2, and never a stack trace.
 */
const CORPUS = 'test/fixtures/bad/corpus';
const files = readdirSync(CORPUS).sort();
/** Files with no line to point at: nothing in them, or a whole-file limit. */
const NO_LINE = new Set(['yaml-empty.yaml', 'yaml-only-comment.yaml']);
const STACK = /\n\s+at .*[(\s][^\s]*:\d+:\d+\)?/;
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function messagesFor(stdout: string, file: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith(`FAIL ${CORPUS}/${file}:`) || l.startsWith(`FAIL ${CORPUS}/${file} `));
}

describe('the hostile-input corpus', () => {
  it('has 50 files or more', () => {
    expect(files.length).toBeGreaterThanOrEqual(50);
  });

  it('gives each file exactly one located message, exit 2, no stack trace', async () => {
    const r = await hil(['validate', ...files.map((f) => `${CORPUS}/${f}`)], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.all).not.toMatch(STACK);
    expect(r.all).not.toMatch(/internal error/);
    expect(r.stdout).toMatch(new RegExp(`^${files.length} files checked, ${files.length} problems$`, 'm'));
    for (const file of files) {
      const messages = messagesFor(r.stdout, file);
      expect({ file, messages: messages.length }).toEqual({ file, messages: 1 });
      if (!NO_LINE.has(file)) expect({ file, located: /\.yaml:\d+:\d+/.test(messages[0]!) }).toEqual({ file, located: true });
    }
  });

  it.each([
    ['yaml-alias-bomb.yaml', /:2:8: invalid YAML: Excessive alias count/],
    ['yaml-deep-flow-nesting.yaml', /:3:\d+: invalid YAML: nested too deeply/],
    ['bytes-nul.yaml', /:1:9: a NUL byte/],
    ['bytes-utf16.yaml', /:1:1: bytes that are not UTF-8/],
    ['regex-alternation-overlap.yaml', /expect\.patterns\.BANNER: .*alternatives can match the same text/],
    ['regex-nested-group-quantifier.yaml', /expect\.patterns\.BANNER: .*nests quantifiers/],
    ['rig-image-outside-project.yaml', /images\.app\.path: .*etc\/passwd is outside the project/],
    ['type-duration-overflow.yaml', /steps\[1\]\.sleep: .* is too long/],
    ['yaml-custom-tag.yaml', /:4:5: invalid YAML: Unresolved tag: !exec/],
  ])('%s alone: exit 2 and %s', async (file, message) => {
    const r = await hil(['validate', `${CORPUS}/${file}`]);
    expect(r.stdout).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.all).not.toMatch(STACK);
  });

  it('refuses a file over 1 MiB without parsing it, also from hil run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-huge-'));
    dirs.push(dir);
    const file = join(dir, 'huge.yaml');
    writeFileSync(file, `name: huge\nsteps:\n${'  - sleep: 1ms\n'.repeat(80_000)}expect: { model: { initial: a, states: { a: {} } } }\n`);
    const v = await hil(['validate', file]);
    expect(v.stdout).toMatch(/huge\.yaml: file is \d+ bytes; the limit is 1048576/);
    expect(v.code).toBe(2);
    const r = await hil(['run', file, '--report-dir', join(dir, 'reports')]);
    expect(r.all).toMatch(/huge\.yaml: file is \d+ bytes/);
    expect(r.code).toBe(2);
    expect(r.all).not.toMatch(STACK);
  });
});
