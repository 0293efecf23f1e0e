import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil, ROOT } from '../helpers/hilCli.js';
import { strayBreakSessions, strays } from '../helpers/processes.js';

/**
 * Fault models at a code cut, on the virtual rig: the model and its seed are in the case id, a replay leaves the
 * same flash bit for bit, and a case that fails keeps the flash image at its cut (linked from the HTML report).
 * The scenario is rollback-powerfail-faults with one more step that always fails, so every case keeps its image.
 */
const NV_BASE = 0x21000000;
let dir: string;
let scenario: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-faults-'));
  scenario = join(dir, 'kept.yaml');
  const source = readFileSync(join(ROOT, 'scenarios/rollback-powerfail-faults.yaml'), 'utf8');
  writeFileSync(
    scenario,
    source
      .replace(/^name: .*$/m, 'name: kept')
      .replace(/^ {2}fault: .*$/m, '  fault: [clean, torn-word, after-op]')
      .replace(
        '  - inspect: { region: factory, holds: factory }',
        '  - inspect: { region: factory, holds: factory }\n  - inspect: { region: primary, holds: upgrade }',
      ),
  );
});

afterAll(() => {
  expect(strays(`${ROOT}.hil/`)).toEqual([]);
  expect(strayBreakSessions()).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
});

async function run(reports: string, ...cases: string[]) {
  const r = await hil(
    ['run', scenario, '--rig', join(ROOT, 'rigs/virtual.yaml'), ...cases.flatMap((c) => ['--case', c]), '--report-dir', join(dir, reports)],
    { timeoutMs: 300_000 },
  );
  const runDir = join(
    dir,
    reports,
    readdirSync(join(dir, reports)).find((f) => /^\d{4}-/.test(f))!,
  );
  const caseDir = (id: string) => join(runDir, id.replace('[', '_').replace(']', ''));
  return { ...r, runDir, caseDir };
}

function cutEvent(caseDir: string): { fault?: { model: string; address?: number; data?: number; changed: number } } {
  const line = readFileSync(join(caseDir, 'timeline.jsonl'), 'utf8')
    .split('\n')
    .find((l) => l.includes('"type":"cut"') && l.includes('"haltedAt"'));
  return JSON.parse(line!) as ReturnType<typeof cutEvent>;
}

describe('fault models at a code cut', () => {
  it('torn-word tears the word at the cut, the same way on a replay, and the failing case keeps its flash image', async () => {
    const torn = 'kept[fault=torn-word,seed=3,hit=3]';
    const other = 'kept[fault=torn-word,seed=4,hit=3]';
    const afterOp = 'kept[fault=after-op,seed=3,hit=3]';
    const clean = 'kept[fault=clean,seed=3,hit=4]';
    const first = await run('first', torn, other, afterOp, clean);
    expect(first.stdout).toMatch(/^0 passed, 4 failed, 0 errors$/m);
    const image = (r: typeof first, id: string) => readFileSync(join(r.caseDir(id), 'flash-at-cut.img'));

    const event = cutEvent(first.caseDir(torn));
    expect(event.fault).toMatchObject({ model: 'torn-word', op: 'program', seed: 3 });
    const { address, data } = event.fault as { address: number; data: number };
    const word = image(first, torn).readUInt32LE(address - NV_BASE);
    expect(word).not.toBe(0xffffffff);
    expect(word).not.toBe(data);
    expect((word & data) >>> 0).toBe(data);
    expect(JSON.parse(readFileSync(join(first.caseDir(torn), 'result.json'), 'utf8')).properties.cut_fault).toMatch(
      /^torn-word seed 3: program 0x/,
    );
    // The report links the image.
    expect(readFileSync(join(first.runDir, 'index.html'), 'utf8')).toMatch(/href="[^"]*flash-at-cut\.img"/);

    // Another seed tears other bits of the same word.
    expect(image(first, other).equals(image(first, torn))).toBe(false);
    // after-op at hit 3 lets the 3rd word complete: the flash a clean cut before the 4th leaves.
    expect(image(first, afterOp).equals(image(first, clean))).toBe(true);

    // --case replays it bit for bit.
    const again = await run('again', torn);
    expect(again.stdout).toMatch(/^0 passed, 1 failed, 0 errors$/m);
    expect(image(again, torn).equals(image(first, torn))).toBe(true);
  }, 300_000);

  it('a case that passes keeps no flash image', async () => {
    const r = await hil(
      [
        'run',
        'rollback-powerfail-faults',
        '--case',
        'rollback-powerfail-faults[fault=torn-word,seed=1,hit=2]',
        '--report-dir',
        join(dir, 'pass'),
      ],
      { timeoutMs: 120_000 },
    );
    expect(r.stdout).toMatch(/^1 passed, 0 failed, 0 errors$/m);
    const runDir = join(
      dir,
      'pass',
      readdirSync(join(dir, 'pass')).find((f) => /^\d{4}-/.test(f))!,
    );
    const caseDir = join(
      runDir,
      readdirSync(runDir).find((f) => f.startsWith('rollback-powerfail-faults_'))!,
    );
    expect(existsSync(join(caseDir, 'timeline.jsonl'))).toBe(true);
    expect(readdirSync(caseDir).filter((f) => f.startsWith('flash-at-cut'))).toEqual([]);
  }, 120_000);
});
