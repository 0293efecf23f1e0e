import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/core/errors.js';
import { loadTeethFile } from '../../src/teeth/TeethFile.js';
import { ROOT } from '../helpers/hilCli.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-teethfile-'));
  writeFileSync(join(dir, 'ok.patch'), '--- a/src/x.c\n+++ b/src/x.c\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function teethFile(body: string): string {
  const file = join(dir, 'teeth.yaml');
  writeFileSync(
    file,
    `build: { dir: ${join(ROOT, 'rigs/virtual/firmware')}, command: make, output: out/bootloader.bin, image: bootloader }\n${body}`,
  );
  return file;
}

function refusal(body: string): string {
  try {
    loadTeethFile(teethFile(body), dir);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('a teeth file', () => {
  it('reads scenarios with fixed params and mutants with a patch or flags, paths relative to the file', () => {
    const spec = loadTeethFile(
      teethFile(`scenarios:
  - ota-upgrade
  - { scenario: rollback-powerfail, params: { cut_after: 60ms } }
mutants:
  - { name: one, patch: ok.patch }
  - { name: two, flags: CC=gcc }
`),
      dir,
    );
    expect(spec.scenarios.map((s) => s.label)).toEqual(['ota-upgrade', 'rollback-powerfail[cut_after=60ms]']);
    expect(spec.mutants).toEqual([
      expect.objectContaining({ name: 'one', patch: join(dir, 'ok.patch') }),
      { name: 'two', flags: 'CC=gcc' },
    ]);
    expect(spec.build.timeoutMs).toBe(300_000);
  });

  it('refuses a patch that is not there, naming the line and field', () => {
    expect(refusal('scenarios: [ota-upgrade]\nmutants:\n  - { name: one, patch: missing.patch }\n')).toBe(
      'teeth.yaml:4:25 mutants[0].patch: missing.patch: no such file',
    );
  });

  it('refuses an unknown scenario, naming the line and field', () => {
    expect(refusal('scenarios:\n  - ota-upgrade\n  - rollback-powerfial\nmutants: [{ name: one, flags: X=1 }]\n')).toMatch(
      /^teeth\.yaml:4:5 scenarios\[1\]: no scenario named "rollback-powerfial" \(did you mean "rollback-powerfail"\?\)/,
    );
  });

  it('refuses a param the scenario does not have', () => {
    expect(refusal('scenarios: [{ scenario: ota-upgrade, params: { cut: 1ms } }]\nmutants: [{ name: one, flags: X=1 }]\n')).toBe(
      'teeth.yaml:2:46 scenarios[0].params: cut: the scenario has no parameter "cut"',
    );
  });

  it('refuses a mutant with neither patch nor flags, a repeated name, and "good"', () => {
    const message = refusal(
      'scenarios: [ota-upgrade]\nmutants:\n  - { name: one }\n  - { name: two, flags: X=1 }\n  - { name: two, flags: X=2 }\n  - { name: good, flags: X=3 }\n',
    );
    expect(message.split('\n')).toEqual([
      'teeth.yaml:4:5 mutants[0]: a mutant needs a patch:, flags: or both',
      'teeth.yaml:6:13 mutants[2].name: a second mutant named "two"',
      'teeth.yaml:7:13 mutants[3].name: "good" is the unmutated build; give the mutant another name',
    ]);
  });

  it('reads images a scenario runs with, relative to the file, and names them in the label', () => {
    const firmware = join(ROOT, 'rigs/virtual/firmware/build');
    const spec = loadTeethFile(
      teethFile(`scenarios:
  - { scenario: ota-upgrade, images: { factory: ${firmware}/factory-full.img, upgrade: ${firmware}/upgrade-full.img } }
mutants: [{ name: one, flags: X=1 }]
`),
      dir,
    );
    expect(spec.scenarios[0]).toEqual(
      expect.objectContaining({
        label: 'ota-upgrade with factory-full.img, upgrade-full.img',
        images: { factory: `${firmware}/factory-full.img`, upgrade: `${firmware}/upgrade-full.img` },
      }),
    );
    expect(
      refusal('scenarios: [{ scenario: ota-upgrade, images: { factory: nothing.img } }]\nmutants: [{ name: one, flags: X=1 }]\n'),
    ).toMatch(/^teeth\.yaml:2:46 scenarios\[0\]\.images: factory=nothing\.img: .*no such file/);
  });

  it('refuses unknown keys and a missing build folder', () => {
    expect(refusal('scenarios: [ota-upgrade]\nmutants: [{ name: one, flag: X=1 }]\n')).toMatch(
      /^teeth\.yaml:3:\d+ mutants\[0\]\.flag: unknown key "flag" \(did you mean "flags"\?\)/,
    );
    const file = join(dir, 'nodir.yaml');
    writeFileSync(
      file,
      'build: { dir: nowhere, command: make, output: o.bin, image: bootloader }\nscenarios: [ota-upgrade]\nmutants: [{ name: one, flags: X=1 }]\n',
    );
    expect(() => loadTeethFile(file, dir)).toThrow('nodir.yaml:1:15 build.dir: nowhere: no such folder');
  });
});
