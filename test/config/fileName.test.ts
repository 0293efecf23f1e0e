import { describe, expect, it } from '@jest/globals';
import { isFileName, toFileName } from '../../src/config/fileName.js';

describe('names that become folder names', () => {
  it('refuse the names of the folder itself and the one above', () => {
    expect(['.', '..', '...', '', 'a/b', 'x'.repeat(101)].filter(isFileName)).toEqual([]);
    expect(['rollback-powerfail', '.hidden', 'v1.2', 'a..b'].every(isFileName)).toBe(true);
  });

  it('make a case folder of any case id, never . or ..', () => {
    expect(toFileName('rollback-powerfail[cut_after=60ms]', 'case')).toBe('rollback-powerfail_cut_after=60ms');
    expect(toFileName('..', 'case')).toBe('case');
    expect(toFileName('../..', 'case')).toBe('.._..');
    expect(toFileName('[]', 'case')).toBe('case');
  });
});
