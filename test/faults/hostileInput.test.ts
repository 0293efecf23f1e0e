import { afterAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HIL_BIN, ROOT, hil } from '../helpers/hilCli.js';

/**
 * Every file in test/fixtures/bad/corpus/ is hostile (malformed YAML, wrong types, unknown keys, ReDoS-prone
 * patterns, alias bombs, deep nesting, binary bytes, models with no reachable final state, image paths outside
 * the project...). Each must give exactly one message naming the file and its line, exit 2, and never a stack
 * trace.
 */
const CORPUS = 'test/fixtures/bad/corpus';
const files = readdirSync(CORPUS).sort();
const STACK = /\n\s+at .*[(\s][^\s]*:\d+:\d+\)?/;
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** `hil` with its wall time and peak memory: hostile input is refused fast and without growing. */
async function measured(args: string[], cwd = ROOT) {
  const dir = mkdtempSync(join(tmpdir(), 'hil-rss-'));
  dirs.push(dir);
  const started = Date.now();
  const r = await execa('/usr/bin/time', ['-f', '%M %U %S', '-o', join(dir, 'rss'), process.execPath, HIL_BIN, ...args], {
    cwd,
    reject: false,
    timeout: 20_000,
    env: { NO_COLOR: '1', HIL_QUARANTINE_AFTER: '0' },
  });
  const ms = Date.now() - started;
  const [rssKb, user, sys] = readFileSync(join(dir, 'rss'), 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  return {
    code: r.exitCode,
    stdout: r.stdout,
    stderr: r.stderr,
    all: `${r.stdout}\n${r.stderr}`,
    ms,
    cpuMs: (user! + sys!) * 1000,
    rssMb: rssKb! / 1024,
  };
}

/** The bounds every refusal keeps: CPU time, as the wall clock depends on what else the machine runs. */
function expectRefusedQuickly(r: Awaited<ReturnType<typeof measured>>, message: RegExp) {
  expect(r.all).not.toMatch(STACK);
  expect(r.stdout.split('\n').filter((l) => l.startsWith('FAIL '))).toEqual([expect.stringMatching(message)]);
  expect(r.code).toBe(2);
  expect(r.cpuMs).toBeLessThan(2_000);
  expect(r.ms).toBeLessThan(10_000);
  expect(r.rssMb).toBeLessThan(300);
}

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
      expect({ file, located: /\.yaml:\d+:\d+/.test(messages[0]!) }).toEqual({ file, located: true });
      expect({ file, names: messages[0] }).not.toEqual({ file, names: expect.stringMatching(/got null|is not valid here/) });
    }
  });

  it.each([
    ['yaml-alias-bomb.yaml', /:2:8: invalid YAML: Excessive alias count/],
    ['yaml-deep-flow-nesting.yaml', /:3:\d+: invalid YAML: nested more than 64 levels deep/],
    ['bytes-nul.yaml', /:1:9: a NUL byte/],
    ['bytes-utf16.yaml', /:1:1: bytes that are not UTF-8/],
    ['regex-alternation-overlap.yaml', /expect\.patterns\.BANNER: .*alternatives can match the same text/],
    ['regex-nested-group-quantifier.yaml', /expect\.patterns\.BANNER: .*nests quantifiers/],
    ['rig-image-outside-project.yaml', /images\.app\.path: .*etc\/passwd is outside the project/],
    ['type-duration-overflow.yaml', /steps\[1\]\.sleep: .* is too long/],
    ['yaml-custom-tag.yaml', /:4:5: invalid YAML: Unresolved tag: !exec/],
    [
      'param-product-1e15.yaml',
      /:3:1 params: the parameters make 1000000000000000 cases \(1000 a x 1000 b x 1000 c x 1000 d x 1000 e\); the limit is 100000/,
    ],
    ['yaml-empty.yaml', /yaml-empty\.yaml:1:1: the file is empty$/m],
    ['yaml-blank-lines.yaml', /yaml-blank-lines\.yaml:1:1: the file is empty$/m],
    ['yaml-only-comment.yaml', /yaml-only-comment\.yaml:1:1: the file holds only comments: no settings$/m],
    ['type-hold-negative.yaml', /:5:34 steps\[1\]\.button\.hold: a duration cannot be negative: got -5 \(write one such as 120ms\)$/m],
    ['type-duration-negative.yaml', /:5:12 steps\[1\]\.sleep: a duration cannot be negative: got "-5s"/m],
    ['number-nan.yaml', /:5:12 steps\[1\]\.sleep: \.nan is not a finite number$/m],
    ['number-1e309.yaml', /:5:36 steps\[1\]\.wait\.timeout: 1e309 is not a finite number$/m],
    ['number-minus-inf.yaml', /:5:34 steps\[1\]\.button\.hold: -\.inf is not a finite number$/m],
    ['number-inf-timeout.yaml', /:2:10 timeout: \.inf is not a finite number$/m],
    ['rig-number-nan-baud.yaml', /:3:52 console\.baud: \.nan is not a finite number$/m],
    [
      'yaml-foreign-proc-status.yaml',
      /yaml-foreign-proc-status\.yaml:1:1: none of its \d+ top-level keys \("Name", "Umask", "State", \.\.\.\) is one this file can have; known keys: name, /m,
    ],
    ['key-only-unknown.yaml', /key-only-unknown\.yaml:1:1: its only key, "nme" \(did you mean "name"\?\), is not one this file can have/m],
    ['yaml-document-marker-only.yaml', /yaml-document-marker-only\.yaml:1:1: the file holds no settings$/m],
    ['yaml-empty-mapping.yaml', /yaml-empty-mapping\.yaml:1:1: an empty mapping: no settings; known keys: name, /m],
    ['param-product-1e10.yaml', /:3:1 params: the parameters make 10000000000 cases \(100000 cut_after x 100000 hit\)/],
  ])('%s alone: exit 2 and %s', async (file, message) => {
    const r = await hil(['validate', `${CORPUS}/${file}`]);
    expect(r.stdout).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.all).not.toMatch(STACK);
  });

  it('refuses a file over 128 KiB without parsing it, also from hil run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-huge-'));
    dirs.push(dir);
    const file = join(dir, 'huge.yaml');
    writeFileSync(file, `name: huge\nsteps:\n${'  - sleep: 1ms\n'.repeat(80_000)}expect: { model: { initial: a, states: { a: {} } } }\n`);
    const v = await hil(['validate', file]);
    expect(v.stdout).toMatch(/huge\.yaml: file is \d+ bytes; the limit is 131072/);
    expect(v.code).toBe(2);
    const r = await hil(['run', file, '--report-dir', join(dir, 'reports')]);
    expect(r.all).toMatch(/huge\.yaml: file is \d+ bytes/);
    expect(r.code).toBe(2);
    expect(r.all).not.toMatch(STACK);
  });
});

describe('files that are not config text', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hil-notfile-'));
  dirs.push(dir);

  it.each([
    ['/dev/zero', () => '/dev/zero', /^FAIL \/dev\/zero: is a character device; only regular files are read$/],
    ['/dev/null', () => '/dev/null', /^FAIL \/dev\/null: is a character device; only regular files are read$/],
    [
      '/proc/self/status (a regular file of size 0 that reads as 60 keys)',
      () => '/proc/self/status',
      /^FAIL \/proc\/self\/status: is a procfs file, made up by the kernel as it is read; only files on disk are read$/,
    ],
    [
      'a FIFO with no writer',
      () => {
        execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
        return join(dir, 'fifo.yaml');
      },
      /fifo\.yaml: is a FIFO \(named pipe\); only regular files are read$/,
    ],
    [
      'a symlink to /dev/zero',
      () => {
        symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
        return join(dir, 'zero.yaml');
      },
      /zero\.yaml: is a character device; only regular files are read$/,
    ],
    [
      'a directory',
      () => {
        mkdirSync(join(dir, 'd.yaml'));
        return join(dir, 'd.yaml');
      },
      /d\.yaml: is a directory; only regular files are read$/,
    ],
    [
      '20,000 nested [',
      () => {
        writeFileSync(join(dir, 'brackets.yaml'), `name: x\nsteps: ${'['.repeat(20_000)}\n`);
        return join(dir, 'brackets.yaml');
      },
      /brackets\.yaml:2:72: invalid YAML: nested more than 64 levels deep$/,
    ],
    [
      '400 nested block sequences',
      () => {
        writeFileSync(join(dir, 'block.yaml'), Array.from({ length: 400 }, (_, i) => `${' '.repeat(i)}-`).join('\n'));
        return join(dir, 'block.yaml');
      },
      /block\.yaml:65:65: invalid YAML: nested more than 64 levels deep$/,
    ],
    [
      'just under the token cap, one long flow list of nested lists',
      () => {
        const model = 'expect: { model: { initial: a, states: { a: { type: final } } } }';
        writeFileSync(
          join(dir, 'wide.yaml'),
          `name: x\nsteps: [{ sleep: 1ms }]\n${model}\ndescription: [${'[[[[[[[[1]]]]]]]], '.repeat(2_100)}]\n`,
        );
        return join(dir, 'wide.yaml');
      },
      /wide\.yaml:4:14 description: expected a string, got a list$/,
    ],
    [
      'under the size cap, over the token cap: 130,000 one-character collections',
      () => {
        writeFileSync(join(dir, 'many.yaml'), `name: x\ndescription: [${'[[[[[[[[1]]]]]]]], '.repeat(130_000 / 20)}]\n`);
        return join(dir, 'many.yaml');
      },
      /many\.yaml:2:\d+: invalid YAML: more than 40,000 tokens \(keys, values, brackets\); a config file holds a few thousand$/,
    ],
  ])('%s: exit 2, one message, fast, bounded memory', async (_, make, message) => {
    const file = make();
    expectRefusedQuickly(await measured(['validate', file]), message);
  });

  it('hil run on a FIFO is refused before anything starts', async () => {
    const r = await measured(['run', join(dir, 'fifo.yaml'), '--report-dir', join(dir, 'reports')]);
    expect(r.all).toMatch(/fifo\.yaml: is a FIFO/);
    expect(r.code).toBe(2);
  });
});

describe('sweeps too large to hold', () => {
  const project = mkdtempSync(join(tmpdir(), 'hil-sweeps-'));
  dirs.push(project);
  mkdirSync(join(project, 'scenarios'));
  mkdirSync(join(project, 'rigs'));
  const scenario = (params: string) =>
    `params: ${params}\nsteps:\n  - sleep: 1ms\nexpect: { model: { initial: a, states: { a: { type: final } } } }\n`;
  // 20 scenarios of 100,000 cases each (the most one may have): 2 million ids, 40 MB of JSON.
  for (let i = 0; i < 20; i++)
    writeFileSync(
      join(project, 'scenarios', `big${i}.yaml`),
      scenario('{ a: { from: 1, to: 1000, step: 1 }, b: { from: 1, to: 100, step: 1 } }'),
    );
  writeFileSync(
    join(project, 'scenarios', 'huge.yaml'),
    scenario('{ a: { from: 1, to: 100000, step: 1 }, b: { from: 1, to: 100000, step: 1 } }'),
  );

  it('hil list --json streams every case id in bounded memory and lists the oversized sweep as invalid', async () => {
    const r = await measured(['list', '--json'], project);
    expect(r.code).toBe(0);
    const entries = JSON.parse(r.stdout) as Array<{ name: string; cases?: string[]; error?: string }>;
    const big = entries.filter((e) => e.name.startsWith('big'));
    expect(big).toHaveLength(20);
    for (const e of big) expect(e.cases).toHaveLength(100_000);
    expect(big[0]!.cases![100_000 - 1]).toBe(`${big[0]!.name}[a=1000,b=100]`);
    expect(entries.find((e) => e.name === 'huge')!.error).toMatch(/huge\.yaml:1:1 params: the parameters make 10000000000 cases/);
    expect(r.rssMb).toBeLessThan(200);
  });

  it('hil run of the oversized sweep is refused at once', async () => {
    const r = await measured(['run', join(project, 'scenarios', 'huge.yaml'), '--report-dir', join(project, 'reports')], project);
    expect(r.all).toMatch(/huge\.yaml:1:1 params: the parameters make 10000000000 cases/);
    expect(r.code).toBe(2);
    expect(r.rssMb).toBeLessThan(300);
  });
});
