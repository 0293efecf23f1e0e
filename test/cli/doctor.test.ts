import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath } from '../../src/core/findOnPath.js';
import { hil } from '../helpers/hilCli.js';

/** `hil doctor` looks for what the project's rigs run on PATH: a PATH without usbrelay must name it, and the fix. */
const root = mkdtempSync(join(tmpdir(), 'hil-doctor-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A PATH holding only these of the machine's commands. */
function pathWith(name: string, commands: string[]): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const command of commands) symlinkSync(findOnPath(command)!, join(dir, command));
  return dir;
}

describe('hil doctor', () => {
  mkdirSync(join(root, 'rigs'));
  writeFileSync(
    join(root, 'rigs', 'lab.yaml'),
    [
      'console: { kind: tcp, port: 4001 }',
      'power: { kind: usbrelay, relay: HURTM_1 }',
      'probe: { kind: openocd, args: [-f, interface/stlink.cfg, -f, target/stm32f4x.cfg] }',
      '',
    ].join('\n'),
  );

  it('names a tool missing from PATH with the rig part that needs it and the line that installs it, exit 1', async () => {
    const path = pathWith('some', ['qemu-system-arm', 'gdb-multiarch', 'openocd']);
    const r = await hil(['doctor'], { cwd: root, env: { PATH: path } });
    expect(r.stdout).toMatch(/MISSING\s+usbrelay\s+HID USB relay boards\s+\[lab: power[,\]]/);
    expect(r.stdout).toMatch(/fix: (sudo )?apt-get install -y --no-install-recommends usbrelay\b/);
    expect(r.stdout).toMatch(/ok\s+openocd\s+Open On-Chip Debugger \d/);
    expect(r.stdout).toMatch(/ok\s+qemu-system-arm\s+QEMU emulator version \d/);
    expect(r.code).toBe(1);
  });

  it('passes the usbrelay check once the command is on PATH, with the version it prints', async () => {
    const path = pathWith('all', ['qemu-system-arm', 'gdb-multiarch', 'openocd', 'usbrelay']);
    const r = await hil(['doctor'], { cwd: root, env: { PATH: path } });
    expect(r.stdout).toMatch(/ok\s+usbrelay\s+\S.*\d/);
    expect(r.stdout).not.toMatch(/MISSING\s+usbrelay/);
  });

  it('checks only the rigs named with --rig; an unknown one is exit 2', async () => {
    const path = pathWith('lab-only', ['openocd', 'usbrelay']);
    const r = await hil(['doctor', '--rig', 'lab'], { cwd: root, env: { PATH: path } });
    expect(r.stdout).toMatch(/^hil doctor: the rigs lab$/m);
    expect(r.stdout).not.toMatch(/qemu-system-arm|STM32_Programmer_CLI/);
    expect(r.code).toBe(0);
    const typo = await hil(['doctor', '--rig', 'labb'], { cwd: root });
    expect(typo.stderr).toMatch(/no rig named "labb".*did you mean "lab"/);
    expect(typo.code).toBe(2);
  });

  it('names a broken rig file and exits 2', async () => {
    const dir = mkdtempSync(join(root, 'bad-'));
    mkdirSync(join(dir, 'rigs'));
    writeFileSync(join(dir, 'rigs', 'typo.yaml'), 'console: { kind: tcp, port: 4001 }\npower: { kind: usbrelai, relay: HURTM_1 }\n');
    const r = await hil(['doctor'], { cwd: dir });
    expect(r.stdout).toMatch(/PROBLEM\s+rig file\s+typo: .*usbrelai/);
    expect(r.code).toBe(2);
  });
});
