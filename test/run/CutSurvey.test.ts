import { describe, expect, it } from '@jest/globals';
import { Survey } from '../../src/run/CutSurvey.js';

const erased = () => Buffer.alloc(256 * 1024, 0xff);

/** The flash a copy leaves after `words` word programs from 0x10000, as a survey reads it at each hit. */
function copied(words: number): Buffer {
  const flash = erased();
  for (let i = 0; i < words; i++) flash.writeUInt32LE(i, 0x10000 + 4 * i);
  return flash;
}

describe('Survey', () => {
  it('gives back the flash of every hit it recorded, bit for bit, from the first one and the changes after it', () => {
    const survey = new Survey('flash_program_word', 3);
    let before: Array<{ name: string; bytes: Buffer }> | undefined;
    for (let hit = 1; hit <= 2000; hit++) {
      const now = [{ name: 'nv', bytes: copied(hit - 1) }];
      survey.add({ hit, entries: hit, t: hit, step: 5 }, now, before);
      before = now;
    }
    for (const hit of [1, 2, 3, 1024, 1025, 2000]) expect(survey.flashAt(hit)[0]!.bytes.equals(copied(hit - 1))).toBe(true);
    // Each call is its own copy: a case writing into it leaves the survey as it was.
    survey.flashAt(7)[0]!.bytes.fill(0);
    expect(survey.flashAt(7)[0]!.bytes.equals(copied(6))).toBe(true);
  });

  it('says why a hit it cannot vouch for, or past its end, runs whole', () => {
    const survey = new Survey('flash_program_word', 3);
    survey.add(
      { hit: 1, entries: 1, t: 1, step: 4, unusable: 'step 5 (button) was under way' },
      [{ name: 'nv', bytes: erased() }],
      undefined,
    );
    survey.add({ hit: 2, entries: 2, t: 2, step: 5 }, [{ name: 'nv', bytes: erased() }], [{ name: 'nv', bytes: erased() }]);
    expect(survey.at(1)).toBe('step 5 (button) was under way');
    expect(survey.at(2)).toMatchObject({ hit: 2, step: 5 });
    expect(survey.at(3)).toBe('the survey had not reached this hit yet');
    survey.ended = true;
    expect(survey.at(3)).toBe('the survey ended after 2 hits');
  });
});
