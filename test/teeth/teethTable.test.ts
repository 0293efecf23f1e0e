import { describe, expect, it } from '@jest/globals';
import { teethTable } from '../../src/teeth/teethTable.js';

describe('the teeth table', () => {
  it('scores the mutants that built and ran, shows why one did not build and counts the rest as not run', () => {
    const lines = teethTable(
      [
        { name: 'good', verdict: 'passes', caughtBy: [] },
        { name: 'off-by-one', verdict: 'caught', caughtBy: ['rollback-powerfail[cut_after=60ms]', 'ota-upgrade'] },
        { name: 'comment', verdict: 'missed', caughtBy: [] },
        {
          name: 'typo',
          verdict: 'build failed',
          caughtBy: [],
          why: 'exit 2',
          tail: 'src/bootloader.c:12:5: error: expected ;\nmake: *** [Makefile:90] Error 1',
        },
        { name: 'cut-short', verdict: 'not run', caughtBy: [] },
      ],
      5,
    );
    expect(lines).toEqual([
      'variant     verdict       caught by',
      'good        passes',
      'off-by-one  caught        rollback-powerfail[cut_after=60ms], ota-upgrade',
      'comment     MISSED',
      'typo        BUILD FAILED  exit 2',
      'cut-short   NOT RUN',
      '',
      "typo: build failed (exit 2); the build's last lines:",
      '  src/bootloader.c:12:5: error: expected ;',
      '  make: *** [Makefile:90] Error 1',
      '',
      'caught 1 of 2 variants (1 did not build, 2 not run)',
    ]);
  });

  it('names what the good build fails', () => {
    const lines = teethTable([{ name: 'good', verdict: 'fails', caughtBy: ['ota-upgrade'] }], 3);
    expect(lines).toEqual(['variant  verdict  caught by', 'good     FAILS    ota-upgrade', '', 'caught 0 of 0 variants (3 not run)']);
  });
});
