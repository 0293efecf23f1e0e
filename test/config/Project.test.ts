import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Project } from '../../src/config/Project.js';
import { quarantineBlock } from '../../src/run/rigGate.js';

/** A project with rigs/bench.yaml and scenarios/boot.yaml, and the same files elsewhere. */
function layout() {
  const root = mkdtempSync(join(tmpdir(), 'hil-project-'));
  for (const dir of ['rigs', 'scenarios', 'lab 2']) mkdirSync(join(root, dir));
  for (const file of ['rigs/bench.yaml', 'scenarios/boot.yaml', 'lab 2/bench.yaml', 'lab 2/boot.yaml']) writeFileSync(join(root, file), '');
  return { root, project: new Project(root) };
}

describe('Project.refFor: how a printed command names a file again', () => {
  it('uses the name when the name finds that very file', () => {
    const { root, project } = layout();
    expect(project.refFor('scenarios', 'boot', join(root, 'scenarios/boot.yaml'), root)).toBe('boot');
    expect(project.refFor('rigs', 'bench', join(root, 'rigs/bench.yaml'), root)).toBe('bench');
  });

  it('uses the path from the working folder, quoted for a shell, when the name finds another file or none', () => {
    const { root, project } = layout();
    expect(project.refFor('scenarios', 'boot', join(root, 'lab 2/boot.yaml'), root)).toBe("'lab 2/boot.yaml'");
    expect(project.refFor('scenarios', 'elsewhere', join(root, 'scenarios/boot.yaml'), join(root, 'rigs'))).toBe('../scenarios/boot.yaml');
    expect(project.refFor('rigs', 'bench', join(root, 'lab 2/bench.yaml'), join(root, 'lab 2'))).toBe('bench.yaml');
  });

  it('is what the quarantine hint tells to check', () => {
    expect(quarantineBlock('bench', 3, '2026-12-06T22:00:00Z', 'gone', "'lab 2/bench.yaml'").message).toMatch(
      /; fix it, then `hil rig check 'lab 2\/bench.yaml'` puts it back in service$/,
    );
  });
});
