import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Project } from '../../src/config/Project.js';
import { hasLabels, matchingRigs } from '../../src/rig/rigMatch.js';

/** A project holding these rig files: name -> labels, or a string for a file that does not load. */
function project(rigs: Record<string, string[] | string>): Project {
  const dir = mkdtempSync(join(tmpdir(), 'hil-rigmatch-'));
  mkdirSync(join(dir, 'rigs'));
  for (const [name, labels] of Object.entries(rigs)) {
    const text =
      typeof labels === 'string'
        ? labels
        : [
            `name: ${name}`,
            `labels: [${labels.join(', ')}]`,
            'console: { kind: serial, path: /dev/ttyUSB0 }',
            "power: { kind: command, on: 'true', off: 'true' }",
          ].join('\n');
    writeFileSync(join(dir, 'rigs', `${name}.yaml`), text);
  }
  return new Project(dir);
}

describe('rig matching by labels', () => {
  it('needs every wanted label; no label wanted matches any rig', () => {
    expect(hasLabels({ labels: ['bench', 'stm32'] }, ['stm32'])).toBe(true);
    expect(hasLabels({ labels: ['bench'] }, ['bench', 'stm32'])).toBe(false);
    expect(hasLabels({ labels: [] }, [])).toBe(true);
  });

  it('yields the matching rigs in file order and skips a rig file that does not load', () => {
    const p = project({ a: ['bench', 'stm32'], b: 'name: [', c: ['bench'], d: ['bench', 'stm32', 'usb'] });
    expect([...matchingRigs(p, ['stm32', 'bench'])].map((r) => r.name).filter((n) => n !== 'virtual')).toEqual(['a', 'd']);
  });

  it('loads rig files only as far as asked', () => {
    const p = project({ a: ['bench'], b: ['bench'], c: ['bench'] });
    const loaded: string[] = [];
    const first = matchingRigs(p, ['bench'], (file) => {
      loaded.push(file);
      return { labels: ['bench'], name: file } as never;
    }).next();
    expect(first.done).toBe(false);
    expect(loaded).toHaveLength(1);
  });
});
