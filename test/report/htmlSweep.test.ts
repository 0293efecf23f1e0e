import { describe, expect, it } from '@jest/globals';
import type { CaseResult } from '../../src/report/CaseResult.js';
import { renderSweeps } from '../../src/report/htmlSweep.js';

/** A double-fault sweep's view: each parameter's plot is coloured by the cut that parameter places. */
function doubleCut(hit: number, hit2: number): CaseResult {
  const id = `double[hit=${hit},hit2=${hit2}]`;
  return {
    id,
    scenario: 'double',
    rig: 'virtual',
    params: { hit: String(hit), hit2: String(hit2) },
    status: hit === 3 ? 'skipped' : 'pass',
    startedAt: '2026-12-07T01:00:00.000Z',
    durationMs: 1000,
    properties: {},
    dir: id,
    consoleText: '',
    cuts: [
      { atMs: 100, lateMs: 0, actuationMs: 2, state: 'copying', sweep: 'hit' },
      { atMs: 900, lateMs: 0, actuationMs: 2, state: hit2 < 10 ? 'rolling-back' : 'copying', sweep: 'hit2' },
    ],
  };
}

const sections = (html: string) =>
  Object.fromEntries([...html.matchAll(/<section class="sweep"[^>]*data-param="(\w+)">([\s\S]*?)<\/section>/g)].map((m) => [m[1], m[2]!]));
const bands = (svg: string) => [...svg.matchAll(/<rect class="band" data-state="([^"]+)"/g)].map((m) => m[1]);

describe('the sweep view of a multi-cut sweep', () => {
  const html = renderSweeps([doubleCut(2, 2), doubleCut(2, 40), doubleCut(3, 2), doubleCut(3, 40)], (c) => `${c.dir}/case.html`);

  it("colours each parameter's plot by the state of its own cut: hit by the first, hit2 by the second", () => {
    const { hit, hit2 } = sections(html);
    expect(bands(hit!)).toEqual(['copying']);
    expect(bands(hit2!)).toEqual(['rolling-back', 'copying']);
    expect(hit2).toContain('<td>rolling-back</td>');
  });

  it('names every cut of a case on its point', () => {
    expect(html).toContain('double[hit=3,hit2=2]: SKIPPED, cut in rolling-back (cuts in copying, then rolling-back)');
  });
});
