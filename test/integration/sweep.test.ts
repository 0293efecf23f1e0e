import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil } from '../helpers/hilCli.js';
import { processesMentioning } from '../helpers/processes.js';
import { strayBreakSessions } from '../helpers/processes.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Results {
  cases: Array<{
    id: string;
    status: string;
    startedAt: string;
    durationMs: number;
    rigInstance?: string;
    cuts?: Array<{ state: string }>;
  }>;
  cutLatency?: { cuts: number; total: { p50: number; p99: number; max: number } };
  coverage?: Array<{ scenario: string; uncut: string[]; states: Array<{ state: string; cuts: number; visited: number }> }>;
}

describe('--jobs 2 on the virtual rig', () => {
  it('runs two cases at once on two QEMU boards, both pass, and leaves no QEMU behind', async () => {
    // Its own project folder: its own rig leases and board state (.hil/), away from other runs on this host.
    const project = mkdtempSync(join(tmpdir(), 'hil-sweep-'));
    dirs.push(project);
    mkdirSync(join(project, 'scenarios'));
    const r = await hil(['run', 'rollback-powerfail', '--jobs', '2', '--param', 'cut_after=20ms,60ms', '--until-coverage'], {
      cwd: project,
      timeoutMs: 90_000,
    });
    expect(r.all).toMatch(/2 passed, 0 failed, 0 errors/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}copying \* +2 +2$/m);
    expect(r.stdout).toMatch(/^cut latency over 2 cuts: p50 [\d.]+ms p99 [\d.]+ms max [\d.]+ms \(late .*; actuation .*\)$/m);

    const reports = join(project, 'reports');
    const runDir = readdirSync(reports).find((d) => d !== 'junit.xml')!;
    const results = JSON.parse(readFileSync(join(reports, runDir, 'results.json'), 'utf8')) as Results;
    // The planned points already cut in `copying`: --until-coverage adds nothing.
    expect(results.cases.map((c) => c.status)).toEqual(['pass', 'pass']);
    expect(new Set(results.cases.map((c) => c.rigInstance ?? 'virtual'))).toEqual(new Set(['virtual', 'virtual#2']));
    const [a, b] = results.cases.map((c) => ({ start: Date.parse(c.startedAt), end: Date.parse(c.startedAt) + c.durationMs }));
    expect(a!.start).toBeLessThan(b!.end);
    expect(b!.start).toBeLessThan(a!.end);
    expect(results.cases.flatMap((c) => c.cuts ?? []).map((c) => c.state)).toEqual(['copying', 'copying']);
    expect(results.cutLatency?.cuts).toBe(2);
    expect(results.coverage?.[0]).toMatchObject({ scenario: 'rollback-powerfail', uncut: [] });
    expect(results.coverage?.[0]!.states.find((s) => s.state === 'copying')).toEqual({
      state: 'copying',
      cuttable: true,
      cuts: 2,
      visited: 2,
    });
    // The timeline says where the cut landed: the state when it was issued, before the board lost power.
    const timeline = readFileSync(join(reports, runDir, 'rollback-powerfail_cut_after=20ms', 'timeline.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(timeline.find((e) => e.type === 'power' && e.cause === 'cut')).toMatchObject({ state: 'off', stateAtCut: 'copying' });
    const junit = readFileSync(join(reports, 'junit.xml'), 'utf8');
    expect(junit).toContain('<property name="coverage.state.copying" value="cuts=2 visited=2 cuttable"/>');
    expect(junit).toContain('<property name="cut.count" value="2"/>');
    // Each copy kept its own board state.
    expect(readdirSync(join(project, '.hil', 'rigs')).sort()).toEqual(['virtual', 'virtual#2']);
    expect(processesMentioning(`${project}/.hil/`)).toEqual([]);
  }, 120_000);

  it('keeps the board between the cases of a rig: no debugger (a board that is off is flashed over qtest), and a case flashes and powers on without starting an emulator', async () => {
    const project = mkdtempSync(join(tmpdir(), 'hil-kept-'));
    dirs.push(project);
    mkdirSync(join(project, 'scenarios'));
    const r = await hil(['run', 'rollback-powerfail', '--param', 'cut_after=20ms,60ms,120ms'], { cwd: project, timeoutMs: 90_000 });
    expect(r.all).toMatch(/3 passed, 0 failed, 0 errors/);
    const reports = join(project, 'reports');
    const runDir = readdirSync(reports).find((d) => d !== 'junit.xml')!;
    type Event = { t: number; type: string; phase?: string; cmd?: string; key?: string; index?: number };
    const timelines = ['20ms', '60ms', '120ms'].map((p) =>
      readFileSync(join(reports, runDir, `rollback-powerfail_cut_after=${p}`, 'timeline.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Event),
    );
    const starts = (events: Event[], cmd: RegExp) =>
      events.filter((e) => e.type === 'proc' && e.phase === 'start' && cmd.test(e.cmd ?? ''));
    expect(timelines.map((events) => starts(events, /gdb/).length)).toEqual([0, 0, 0]);
    for (const events of timelines.slice(1)) {
      // The flash and the first power-on use the QEMU the previous case started ahead; none starts in between.
      const from = events.find((e) => e.type === 'step' && e.key === 'flash' && e.phase === 'start')!.t;
      const to = events.find((e) => e.type === 'step' && e.index === 1 && e.phase === 'end')!.t;
      expect(starts(events, /qemu/).filter((e) => e.t >= from && e.t <= to)).toEqual([]);
    }
    expect(processesMentioning(`${project}/.hil/`)).toEqual([]);
    // No gdb of the run is left orphaned.
    expect(strayBreakSessions()).toEqual([]);
  }, 120_000);
});
