import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Quarantine } from '../../src/rig/Quarantine.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hil-quarantine-'));
  // A project (its state root is its .hil/), not a folder hil would keep no state in.
  mkdirSync(join(root, 'rigs'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('Quarantine', () => {
  it('quarantines a rig on its Nth error in a row, once, in .hil/quarantine/<rig>.json', () => {
    const q = new Quarantine(root);
    expect(q.record('bench', 'error', 'probe gone', 3)).toBeUndefined();
    expect(q.record('bench', 'error', 'probe gone', 3)).toBeUndefined();
    expect(q.quarantined('bench')).toBeUndefined();
    const state = q.record('bench', 'error', 'probe still gone', 3);
    expect(state).toMatchObject({ rig: 'bench', consecutiveErrors: 3, lastError: 'probe still gone' });
    expect(existsSync(join(root, '.hil', 'quarantine', 'bench.json'))).toBe(true);
    expect(new Quarantine(root).quarantined('bench')?.quarantinedAt).toBe(state!.quarantinedAt);
    expect(q.record('bench', 'error', 'again', 3)).toBeUndefined();
    q.record('bench', 'pass', undefined, 3);
    expect(q.quarantined('bench')).toBeDefined(); // only a rig check ends it
  });

  it('counts only errors in a row: a pass or a failure (the board answered) resets the count', () => {
    const q = new Quarantine(root);
    q.record('bench', 'error', 'x', 3);
    q.record('bench', 'error', 'x', 3);
    q.record('bench', 'fail', 'board wrong', 3);
    expect(q.record('bench', 'error', 'x', 3)).toBeUndefined();
    expect(q.read('bench')?.consecutiveErrors).toBe(1);
  });

  it('keeps rigs apart, never quarantines with a limit of 0, and clear() puts a rig back in service', () => {
    const q = new Quarantine(root);
    for (let i = 0; i < 5; i++) q.record('a', 'error', 'x', 0);
    expect(q.quarantined('a')).toBeUndefined();
    q.record('b', 'error', 'x', 1);
    expect(q.quarantined('b')).toBeDefined();
    expect(q.quarantined('a')).toBeUndefined();
    q.clear('b');
    expect(q.quarantined('b')).toBeUndefined();
  });
});

describe('HIL_STATE_DIR', () => {
  it('moves the quarantine (and the leases) out of the project, so a wiped CI workspace keeps them', () => {
    const state = join(root, 'state');
    process.env['HIL_STATE_DIR'] = state;
    try {
      new Quarantine(join(root, 'project')).record('bench', 'error', 'x', 1);
      expect(existsSync(join(state, 'quarantine', 'bench.json'))).toBe(true);
      expect(existsSync(join(root, 'project', '.hil'))).toBe(false);
    } finally {
      delete process.env['HIL_STATE_DIR'];
    }
  });
});
