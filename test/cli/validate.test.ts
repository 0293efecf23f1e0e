import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { hil } from '../helpers/hilCli.js';

/** Each malformed file gives exit 2 and a message naming the file, the line and column, and the field. */
const EXPECTED: Record<string, RegExp> = {
  'yaml-syntax.yaml': /yaml-syntax\.yaml:5:1: invalid YAML/,
  'unknown-top-key.yaml': /unknown-top-key\.yaml:2:1 stepz: unknown key "stepz" \(did you mean "steps"\?\)/,
  'unknown-step.yaml': /unknown-step\.yaml:4:5 steps\[1\]\.wiat: unknown step "wiat" \(did you mean "wait"\?\)/,
  'bad-duration.yaml': /bad-duration\.yaml:4:19 steps\[1\]\.cut\.after: expected a duration such as 120ms, got "soon"/,
  'bad-regex.yaml': /bad-regex\.yaml:6:13 expect\.patterns\.BANNER: invalid regular expression/,
  'redos-regex.yaml': /redos-regex\.yaml:6:13 expect\.patterns\.BANNER: .*nests quantifiers/,
  'wait-unknown-state.yaml': /wait-unknown-state\.yaml:4:11 steps\[1\]\.wait: no state "redy" in the model \(did you mean "ready"\?\)/,
  'unknown-param.yaml': /unknown-param\.yaml:5:10 steps\[1\]\.cut: unknown parameter \$\{cut_aftr\} \(did you mean "cut_after"\?\)/,
  'bad-sweep-point.yaml': /bad-sweep-point\.yaml:5:19 steps\[1\]\.cut\.after: expected a duration .*got "later" \(with cut_after=later\)/,
  'missing-initial.yaml': /missing-initial\.yaml:6:14 expect\.model\.initial: .*"offf".*did you mean "off"/,
  'bad-target.yaml': /bad-target\.yaml:8:30 expect\.model\.states\.off\.on\.POWER_ON: .*"bootng".*did you mean "booting"/,
  'no-steps.yaml': /no-steps\.yaml:2:8 steps: .*at least one step/,
  'two-steps-in-one.yaml': /two-steps-in-one\.yaml:3:5 steps\[0\]: one step per list item, found power and sleep/,
  'wrong-type.yaml': /wrong-type\.yaml:3:12 steps\[0\]\.power: expected "on", "off", "cycle" or a mapping, got "sideways"/,
  'rig-unknown-kind.yaml': /rig-unknown-kind\.yaml:2:18 console\.kind: unknown console kind "serail" \(did you mean "serial"\?\)/,
  'rig-unknown-key.yaml': /rig-unknown-key\.yaml:2:46 console\.baudd: unknown key "baudd" \(did you mean "baud"\?\)/,
  'rig-missing-power.yaml': /rig-missing-power\.yaml:1:1 power: required/,
  'rig-image-region.yaml': /rig-image-region\.yaml:5:41 images\.app\.region: no region "primray" \(did you mean "primary"\?\)/,
  'rig-qemu-resource.yaml': /rig-qemu-resource\.yaml:5:26 resources\.qemu\.nv\[0\]\.size: expected a size .*got "16 megs"/,
  'rig-layout-overlap.yaml': /rig-layout-overlap\.yaml:8:13 layout\.regions\.header: no-overlap: .*overlaps bootloader/,
};

describe('hil validate', () => {
  it('covers every file in test/fixtures/bad', () => {
    // test/fixtures/bad/corpus/ is the hostile-input corpus, checked by test/faults/hostileInput.test.ts.
    const files = readdirSync('test/fixtures/bad', { withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => d.name);
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('rejects %s with exit 2 and a located message', async (file, message) => {
    const r = await hil(['validate', `test/fixtures/bad/${file}`]);
    expect(r.stdout).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.all).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
  });

  it('passes every shipped rig and scenario', async () => {
    const r = await hil(['validate']);
    expect(r.stdout).toMatch(/scenario +scenarios\/rollback-powerfail\.yaml/);
    expect(r.stdout).toMatch(/rig +rigs\/virtual\.yaml/);
    expect(r.stdout).toMatch(/, 0 problems$/m);
    expect(r.code).toBe(0);
  });

  it('names a missing file', async () => {
    const r = await hil(['validate', 'scenarios/nope.yaml']);
    expect(r.stdout).toMatch(/scenarios\/nope\.yaml: no such file/);
    expect(r.code).toBe(2);
  });
});

describe('hil run with bad input', () => {
  it('exits 2 naming an unknown scenario with a suggestion', async () => {
    const r = await hil(['run', 'rollback-powerfial']);
    expect(r.stderr).toMatch(/no scenario named "rollback-powerfial" \(did you mean "rollback-powerfail"\?\)/);
    expect(r.code).toBe(2);
  });

  it('exits 2 naming a rig path that does not exist', async () => {
    const r = await hil(['run', 'rollback-powerfail', '--rig', 'rigs/lab9.yaml']);
    expect(r.stderr).toMatch(/rigs\/lab9\.yaml: no such rig file/);
    expect(r.code).toBe(2);
  });

  it('exits 2 on a --param the scenario does not have', async () => {
    const r = await hil(['run', 'rollback-powerfail', '--param', 'cut_aftr=10ms']);
    expect(r.stderr).toMatch(/--param cut_aftr: the scenario has no parameter "cut_aftr" \(did you mean "cut_after"\?\)/);
    expect(r.code).toBe(2);
  });

  it('exits 2 on an unknown option, with help', async () => {
    const r = await hil(['run', 'rollback-powerfail', '--frobnicate']);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
    expect(r.code).toBe(2);
  });
});
