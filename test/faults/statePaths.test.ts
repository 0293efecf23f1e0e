import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil } from '../helpers/hilCli.js';
import { processesMentioning } from '../helpers/processes.js';
import { timedHil } from '../helpers/timedHil.js';

/**
 * Files hil writes stay in its state and report folders: a flash file path that leaves the rig's state folder, a
 * flash size that would fill the disk, a name that would make a folder of `..` are each refused at load (exit 2,
 * file:line and field, nothing created); a disk too small for the flash file is a rig error before a byte is written.
 */
const STACK = /\n\s+at .*[(\s][^\s]*:\d+:\d+\)?/;
let dir: string;
let project: string;
let mounted: string | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-state-paths-'));
  project = join(dir, 'project');
  mkdirSync(join(project, 'rigs'), { recursive: true });
});
afterEach(async () => {
  if (mounted) await execa('umount', ['-l', mounted], { reject: false, timeout: 30_000 });
  mounted = undefined;
  expect(processesMentioning(dir)).toEqual([]);
  // No lease left: the state root is the project's .hil or a folder of this test.
  expect(readdirSync(join(project, '.hil', 'leases'), { withFileTypes: true }).length).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function qemuRig(name: string, qemu: string): string {
  const file = join(project, 'rigs', `${name}.yaml`);
  writeFileSync(file, `console: { kind: qemu, serial: 0 }\npower: { kind: qemu }\nresources:\n  qemu:\n${qemu}`);
  mkdirSync(join(project, '.hil', 'leases'), { recursive: true });
  return file;
}

/** Everything under `dir`, but the rig files the test wrote. */
function created(): string[] {
  const ours = ['project', 'project/rigs', 'project/.hil', 'project/.hil/leases'];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => !ours.includes(p) && !p.startsWith('project/rigs/'))
    .sort();
}

describe('paths and sizes of what hil writes', () => {
  it.each([
    [
      'nv-escapes',
      '    nv: [{ id: nv, size: 64K, path: ../../../../escaped.img }]\n',
      /nv-escapes\.yaml:5:\d+ resources\.qemu\.nv\[0\]\.path: "\.\.\/\.\.\/\.\.\/\.\.\/escaped\.img" is not inside the rig's state folder/,
    ],
    [
      'drive-absolute',
      () => `    machine: virt\n    drives: [{ path: ${join(dir, 'absolute.img')}, index: 1, size: 64M }]\n`,
      /drive-absolute\.yaml:6:\d+ resources\.qemu\.drives\[0\]\.path: ".*absolute\.img" is not inside the rig's state folder/,
    ],
    [
      'state-dir-outside',
      () => `    stateDir: ${dir}\n    nv: [{ id: nv, size: 64K }]\n`,
      /state-dir-outside\.yaml:5:\d+ resources\.qemu\.stateDir: ".*" is not inside the rig file's folder/,
    ],
  ])('%s: hil rig check refuses it, exit 2 in < 2 s of CPU, nothing created', async (name, qemu, message) => {
    qemuRig(name, typeof qemu === 'function' ? qemu() : qemu);
    const r = await timedHil(['rig', 'check', `rigs/${name}.yaml`], { cwd: project });
    expect(r.cpuMs).toBeLessThan(2_000);
    expect(r.wallMs).toBeLessThan(10_000);
    expect(r.stdout + r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.all).not.toMatch(STACK);
    expect(created()).toEqual([]);
  });

  it.each([
    [
      'nv-60G',
      '    nv: [{ id: nv, size: 60G }]\n',
      /nv-60G\.yaml:5:\d+ resources\.qemu\.nv\[0\]\.size: a flash file of 64424509440 bytes: give 1 byte to 1G/,
    ],
    ['name-dots', '', /name-dots\.yaml:1:7 name: use letters, digits/],
  ])('%s: hil validate refuses it, exit 2, file:line and field', async (name, qemu, message) => {
    const file = qemuRig(name, qemu || '    nv: [{ id: nv, size: 64K }]\n');
    if (name === 'name-dots') writeFileSync(file, `name: ..\n${readFileSync(file, 'utf8')}`);
    const r = await hil(['validate', `rigs/${name}.yaml`], { cwd: project });
    expect(r.stdout).toMatch(message);
    expect(r.code).toBe(2);
    expect(created()).toEqual([]);
  });

  it('a scenario file whose name is only dots, and no name:, is refused rather than named ..', async () => {
    mkdirSync(join(project, 'scenarios'), { recursive: true });
    writeFileSync(
      join(project, 'scenarios', '..yaml'),
      readFileSync('test/fixtures/good/scenario.yaml', 'utf8').replace(/^name: .*\n/, ''),
    );
    try {
      const r = await hil(['validate', 'scenarios/..yaml'], { cwd: project });
      expect(r.stdout).toMatch(/\.\.yaml:1:1: the file name "\.\.yaml" makes no name/);
      expect(r.code).toBe(2);
    } finally {
      rmSync(join(project, 'scenarios'), { recursive: true });
    }
  });

  it.each([
    [
      'state-dir-read-only',
      '    stateDir: ro\n    nv: [{ id: nv, size: 64K }]\n',
      /state-dir-read-only\.yaml:5:\d+ resources\.qemu\.stateDir: .*\/rigs\/ro is read-only/,
    ],
    [
      'nv-read-only',
      '    stateDir: st\n    nv: [{ id: nv, size: 64K, path: ro/nv.img }]\n',
      /nv-read-only\.yaml:6:\d+ resources\.qemu\.nv\[0\]\.path: .*\/rigs\/st\/ro\/nv\.img is on a read-only filesystem/,
    ],
  ])('%s: hil run refuses a rig whose flash hil could not write, exit 2, before a lease or a process', async (name, qemu, message) => {
    const ro = join(project, 'rigs', name === 'nv-read-only' ? 'st/ro' : 'ro');
    mkdirSync(ro, { recursive: true });
    const m = await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', ro], { reject: false, timeout: 30_000 });
    if (m.exitCode !== 0) throw new Error(`this test needs root to mount a tmpfs: ${m.stderr || `exit ${m.exitCode}`}`);
    mounted = ro;
    // An existing flash file of the right size, on a disk then made read-only.
    if (name === 'nv-read-only') writeFileSync(join(ro, 'nv.img'), Buffer.alloc(64 * 1024, 0xff));
    await execa('mount', ['-o', 'remount,ro', ro], { timeout: 30_000 });
    qemuRig(name, qemu);
    mkdirSync(join(project, 'scenarios'), { recursive: true });
    writeFileSync(join(project, 'scenarios', 'good.yaml'), readFileSync('test/fixtures/good/scenario.yaml'));
    try {
      const r = await timedHil(['run', 'good', '--rig', name, '--report-dir', join(dir, 'reports')], { cwd: project });
      expect(r.stdout + r.stderr).toMatch(message);
      expect(r.code).toBe(2);
      expect(r.all).not.toMatch(STACK);
      expect(r.cpuMs).toBeLessThan(2_000);
      // Never counted against the rig, no report of a run that did not start.
      expect(readdirSync(join(project, '.hil'))).toEqual(['leases']);
      expect(readdirSync(dir).filter((f) => f === 'reports')).toEqual([]);
      const check = await hil(['rig', 'check', name], { cwd: project });
      expect(check.stdout + check.stderr).toMatch(message);
      expect(check.code).toBe(2);
    } finally {
      rmSync(join(project, 'scenarios'), { recursive: true });
    }
  });

  it('a flash file larger than the free space is a rig error before anything is written', async () => {
    const state = join(dir, 'tiny');
    mkdirSync(state);
    const m = await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', state], { reject: false, timeout: 30_000 });
    if (m.exitCode !== 0) throw new Error(`this test needs root to mount a tmpfs as a small disk: ${m.stderr || `exit ${m.exitCode}`}`);
    mounted = state;
    qemuRig('big-flash', '    nv: [{ id: nv, size: 16M }]\n');
    const r = await hil(['rig', 'check', 'rigs/big-flash.yaml'], { cwd: project, env: { HIL_STATE_DIR: state } });
    expect(r.stdout + r.stderr).toMatch(/no room for flash image .*nv\.img: it needs 16777216 bytes, \d+ are free/);
    expect(r.code).toBe(3);
    expect(r.all).not.toMatch(STACK);
    expect(readdirSync(join(state, 'rigs', 'big-flash'))).toEqual([]);
  });

  it('a report folder that fills up: the cases keep their verdicts, the rig is not quarantined, the run ends with exit 3 naming the report', async () => {
    const reports = join(dir, 'full-reports');
    mkdirSync(reports);
    mkdirSync(join(project, '.hil', 'leases'), { recursive: true });
    const m = await execa('mount', ['-t', 'tmpfs', '-o', 'size=48k', 'tmpfs', reports], { reject: false, timeout: 30_000 });
    if (m.exitCode !== 0) throw new Error(`this test needs root to mount a tmpfs as a small disk: ${m.stderr || `exit ${m.exitCode}`}`);
    mounted = reports;
    const state = join(dir, 'full-state');
    // Three cases: before, the copies of the flash at each cut filled the disk, each case ended in an internal
    // error and the third put the virtual rig in quarantine.
    const r = await hil(['run', 'rollback-powerfail', '--rig', 'virtual', '--report-dir', reports], {
      env: { HIL_STATE_DIR: state },
      timeoutMs: 120_000,
    });
    expect(r.stdout).toMatch(/^3 passed, 0 failed, 0 errors$/m);
    expect(r.stdout + r.stderr).toMatch(/cannot write .*ENOSPC/);
    expect(r.code).toBe(3);
    expect(r.all).not.toMatch(STACK);
    expect(readdirSync(state)).not.toContain('quarantine');
  });
});
