import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil } from '../helpers/hilCli.js';
import { processesMentioning } from '../helpers/processes.js';

/** One state root for everything a rig keeps: the virtual board's flash follows the leases. */
describe('state root', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hil-state-root-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('HIL_STATE_DIR holds the virtual board flash, not <project>/.hil', async () => {
    const project = join(dir, 'project');
    const state = join(dir, 'state');
    await mkdir(join(project, 'scenarios'), { recursive: true });
    const r = await hil(['rig', 'check', 'virtual'], { cwd: project, env: { HIL_STATE_DIR: state } });
    expect(r.code).toBe(0);
    expect(existsSync(join(state, 'rigs', 'virtual', 'nv.img'))).toBe(true);
    expect(existsSync(join(project, '.hil'))).toBe(false);
    expect(processesMentioning(dir)).toEqual([]);
  });

  it('run outside any project, hil keeps its state under XDG_STATE_HOME and leaves the folder as it was', async () => {
    const elsewhere = join(dir, 'elsewhere');
    const xdg = join(dir, 'xdg');
    await mkdir(elsewhere);
    const r = await hil(['rig', 'check', 'virtual'], { cwd: elsewhere, env: { XDG_STATE_HOME: xdg } });
    expect(r.code).toBe(0);
    expect(await readdir(elsewhere)).toEqual([]);
    expect(existsSync(join(xdg, 'hil', 'rigs', 'virtual', 'nv.img'))).toBe(true);
    expect(processesMentioning(dir)).toEqual([]);
  });
});
