import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planRun } from '../../src/run/Run.js';

/** A project with `boards` real rigs labelled `bench` and a scenario that asks for that label. */
function project(boards: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'hil-jobs-'));
  mkdirSync(join(dir, 'rigs'));
  mkdirSync(join(dir, 'scenarios'));
  for (let i = 1; i <= boards; i++) {
    writeFileSync(
      join(dir, 'rigs', `board${i}.yaml`),
      [
        `name: board${i}`,
        'labels: [bench]',
        `console: { kind: serial, path: /dev/ttyUSB${i} }`,
        "power: { kind: command, on: 'true', off: 'true' }",
      ].join('\n'),
    );
  }
  writeFileSync(
    join(dir, 'scenarios', 'on-bench.yaml'),
    ['name: on-bench', 'rigs: { labels: [bench] }', 'steps:', '  - power: on', 'expect: { model: { initial: a, states: { a: {} } } }'].join(
      '\n',
    ),
  );
  return dir;
}

const slots = (plan: ReturnType<typeof planRun>) => plan[0]!.jobRigs!.map((j) => j.instance ?? j.rig.name);

describe('rigs for --jobs', () => {
  it('copies the virtual rig: one instance name (and so one state folder) per job', () => {
    const plan = planRun({ scenarios: ['rollback-powerfail'], jobs: 3, cwd: project(0) });
    expect(slots(plan)).toEqual(['virtual', 'virtual#2', 'virtual#3']);
    expect(new Set(plan[0]!.jobRigs!.map((j) => j.rig.name))).toEqual(new Set(['virtual']));
    expect(plan[0]!.cuttable).toEqual(['copying']);
  });

  it('takes N different rig files with the labels for real boards', () => {
    expect(slots(planRun({ scenarios: ['on-bench'], jobs: 2, cwd: project(3) }))).toEqual(['board1', 'board2']);
    expect(slots(planRun({ scenarios: ['on-bench'], cwd: project(3) }))).toEqual(['board1']);
  });

  it('says how many rigs match when there are fewer than jobs', () => {
    expect(() => planRun({ scenarios: ['on-bench'], jobs: 3, cwd: project(2) })).toThrow(
      /--jobs 3 needs 3 rigs with the labels \[bench\]; only 2 have them: board1, board2/,
    );
  });

  it('refuses to copy a named real board', () => {
    expect(() => planRun({ scenarios: ['on-bench'], rig: 'board1', jobs: 2, cwd: project(2) })).toThrow(
      /rig board1 is one board and --jobs 2 needs 2/,
    );
  });

  it('--until-coverage needs a cuttable state', () => {
    expect(() => planRun({ scenarios: ['on-bench'], untilCoverage: true, cwd: project(1) })).toThrow(/no state is marked cuttable/);
  });
});
