import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil, ROOT } from '../helpers/hilCli.js';
import { processesMentioning } from '../helpers/processes.js';
import { buildVariant } from '../../src/teeth/buildVariant.js';
import { loadTeethFile } from '../../src/teeth/TeethFile.js';

/**
 * The shipped scenarios have teeth: on the virtual rig each passes with the good bootloader and fails, naming
 * the model state, on each faulty bootloader build it is meant to catch (rigs/virtual/firmware/README.md).
 */
const FIRMWARE = join(ROOT, 'rigs/virtual/firmware/build');
let reports: string;

beforeAll(() => {
  reports = mkdtempSync(join(tmpdir(), 'hil-teeth-'));
});

afterAll(() => {
  expect(processesMentioning(`${ROOT}.hil/`)).toEqual([]);
  rmSync(reports, { recursive: true, force: true });
});

async function runScenario(scenario: string, extra: string[], dir: string) {
  const reportDir = join(reports, dir);
  const result = await hil(['run', scenario, '--report-dir', reportDir, ...extra], { timeoutMs: 180_000 });
  return { ...result, junit: readFileSync(join(reportDir, 'junit.xml'), 'utf8') };
}

/** The rig's images replaced by ones that fill their slot, so every byte of a slot is copied, erased and hashed. */
const FULL_SIZE = ['factory', 'factory-primary', 'upgrade', 'upgrade-staged'].flatMap((name) => [
  '--image',
  `${name}=${join(FIRMWARE, `${name.split('-')[0]}-full.img`)}`,
]);

const SCENARIOS = [
  'rollback-powerfail',
  'rollback-button',
  'ota-upgrade',
  'upgrade-powerfail',
  'factory-missing',
  'upgrade-then-resets',
  'rollback-then-resets',
  'button-released-early',
  'button-held-at-power-on',
  'no-image-button',
  'upgrade-not-pending',
  'downgrade-refused',
];
/** With slot-filling images a copy takes ~5 s: the scenarios with at most two copies per case. */
const FULL_SIZE_SCENARIOS = [
  'rollback-button',
  'ota-upgrade',
  'upgrade-then-resets',
  'rollback-then-resets',
  'button-held-at-power-on',
  'no-image-button',
  'upgrade-not-pending',
];
const GOOD: Array<[string, 'small' | 'full']> = [
  ...SCENARIOS.map((s): [string, 'small'] => [s, 'small']),
  ...FULL_SIZE_SCENARIOS.map((s): [string, 'full'] => [s, 'full']),
];

describe('the good firmware passes every shipped scenario', () => {
  it.each(GOOD)('%s with %s images', async (scenario, size) => {
    const r = await runScenario(scenario, size === 'full' ? FULL_SIZE : [], `good-${scenario}-${size}`);
    expect(r.stdout).toMatch(/^\d+ passed, 0 failed, 0 errors$/m);
    expect(r.code).toBe(0);
    expect(r.junit).not.toMatch(/<failure|<error/);
  });
});

/**
 * The README's teeth table, `hil teeth`'s verdict on each variant of teeth.yaml: the variant and the case that
 * caught it (the first that failed), as `| \`name\` | fault | \`case id\` |`.
 */
function readmeTable(): Array<{ variant: string; caughtBy: string }> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/^\| `([a-z-]+)`[^|]* \| [^|]+ \| `([^`]+)` \|$/gm)].map((m) => ({ variant: m[1]!, caughtBy: m[2]! }));
}
const TABLE = readmeTable();
const spec = loadTeethFile(join(ROOT, 'teeth.yaml'), ROOT);

describe("the README's teeth table is what teeth.yaml measures", () => {
  it("a row for every mutant of teeth.yaml, each of the firmware Makefile's variants among them as its build flag", () => {
    expect(TABLE.map((r) => r.variant).sort()).toEqual(spec.mutants.map((m) => m.name).sort());
    const makefile = readFileSync(join(ROOT, 'rigs/virtual/firmware/Makefile'), 'utf8');
    const variants = /^VARIANTS := ((?:.*\\\n)*.*)$/m.exec(makefile)![1]!.replace(/\\\n/g, ' ').split(/\s+/).filter(Boolean);
    expect(variants.length).toBeGreaterThanOrEqual(12);
    const flagged = spec.mutants.filter((m) => m.flags);
    expect(flagged.map((m) => m.name).sort()).toEqual(variants.sort());
    // So the committed build of each (make check proves it is the sources') is the one hil teeth measures.
    for (const m of flagged) expect(m.flags).toBe(`CC='arm-none-eabi-gcc -DVARIANT_${m.name.toUpperCase().replace(/-/g, '_')}'`);
  });
});

/** `scenario[k=v,...]` as hil run arguments: the scenario and the one case. */
function caseArgs(id: string): string[] {
  const scenario = id.split('[')[0]!;
  return id.includes('[') ? [scenario, '--case', id] : [scenario];
}

describe('each variant fails the case the table says caught it', () => {
  it.each(TABLE)('$variant: $caughtBy', async ({ variant, caughtBy }) => {
    const mutant = spec.mutants.find((m) => m.name === variant)!;
    let image = join(FIRMWARE, `bootloader-${variant}.bin`);
    if (mutant.patch) {
      const built = await buildVariant(spec, mutant, join(reports, 'state'), new AbortController().signal);
      if (!built.ok) throw new Error(`${variant} does not build: ${built.why}\n${built.tail}`);
      image = built.image;
    }
    const [scenario, ...rest] = caseArgs(caughtBy);
    const r = await runScenario(scenario!, [...rest, '--image', `bootloader=${image}`], `caught-${variant}`);
    expect(r.stdout).toMatch(/^0 passed, 1 failed, 0 errors$/m);
    expect(r.code).toBe(1);
    expect(r.junit).toMatch(/<failure message="[^"]*in state [a-z-.]+/);
    expect(r.junit).not.toMatch(/<error/);
  });
});

describe('a tampered or older pending image is refused (upgrade-tampered: one case per tampering)', () => {
  it.each(['small', 'full'])('the good bootloader refuses every one, with %s images, each case in under 10 s', async (size) => {
    const r = await runScenario('upgrade-tampered', size === 'full' ? FULL_SIZE : [], `tampered-${size}`);
    expect(r.stdout).toMatch(/^13 passed, 0 failed, 0 errors$/m);
    expect(r.code).toBe(0);
    for (const kind of [
      'body-byte',
      'bad-magic',
      'tlv-overrun',
      'size-past-slot',
      'size-in-trailer',
      'protected-tlv',
      'older',
      'same-version',
    ])
      expect(r.junit).toContain(`upgrade-tampered[tamper=${kind}]`);
    const durations = [...r.junit.matchAll(/<testcase [^>]*time="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(durations).toHaveLength(13);
    expect(Math.max(...durations)).toBeLessThan(10);
  });

  it('a bootloader that trusts a well-formed header (header-first) upgrades to a corrupt image', async () => {
    const image = ['--image', `bootloader=${join(FIRMWARE, 'bootloader-header-first.bin')}`];
    const r = await runScenario('upgrade-tampered', ['--param', 'tamper=body-byte,bad-magic', ...image], 'tampered-header-first');
    expect(r.stdout).toMatch(/^1 passed, 1 failed, 0 errors$/m);
    expect(r.junit).toMatch(/<failure message="forbidden line matched \/Starting upgrade\/[^"]*in state bootloader/);
  });
});
