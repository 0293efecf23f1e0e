import { describe, expect, it } from '@jest/globals';
import { Classifier, MAX_MATCH_CHARS, namedGroups } from '../../src/expect/Classifier.js';

const patterns = [
  { name: 'BANNER', regex: /MCUboot Bootloader Started/ },
  { name: 'COPY', regex: /Rollback initiated|Copying factory/ },
  { name: 'FACTORY', regex: /Factory app v(?<version>\S+) running(?: on (?<board>\S+))?/ },
  { name: 'ANY_APP', regex: /app v\S+ running/ },
];
const forbidden = [
  { source: 'HardFault', regex: /HardFault/ },
  { source: 'Assertion failed', regex: /Assertion failed/ },
];

describe('Classifier', () => {
  const classifier = new Classifier(patterns, forbidden);

  it('names the event of the matching pattern', () => {
    expect(classifier.classify('[INF] MCUboot Bootloader Started')).toEqual({ event: { type: 'BANNER', groups: {} } });
    expect(classifier.classify('Copying factory image to primary slot').event?.type).toBe('COPY');
    expect(classifier.classify('Rollback initiated').event?.type).toBe('COPY');
  });

  it('returns nothing for a line no pattern matches', () => {
    expect(classifier.classify('some unrelated chatter')).toEqual({});
    expect(classifier.classify('')).toEqual({});
  });

  it('takes the first matching pattern in declaration order', () => {
    // Both FACTORY and ANY_APP match; FACTORY is declared first.
    expect(classifier.classify('Factory app v1.0.0 running').event?.type).toBe('FACTORY');
    expect(classifier.classify('Upgrade app v2.0.0 running').event?.type).toBe('ANY_APP');
    const reversed = new Classifier([...patterns].reverse(), []);
    expect(reversed.classify('Factory app v1.0.0 running').event?.type).toBe('ANY_APP');
  });

  it('puts named groups into the event, leaving out groups that did not take part', () => {
    expect(classifier.classify('Factory app v1.0.0 running').event).toEqual({ type: 'FACTORY', groups: { version: '1.0.0' } });
    expect(classifier.classify('Factory app v1.2 running on psoc6').event?.groups).toEqual({ version: '1.2', board: 'psoc6' });
  });

  it('reports a forbidden line, alongside any event on the same line', () => {
    expect(classifier.classify('HardFault at 0x0800_1234')).toEqual({ forbidden: 'HardFault' });
    expect(classifier.classify('MCUboot Bootloader Started; Assertion failed: x')).toEqual({
      event: { type: 'BANNER', groups: {} },
      forbidden: 'Assertion failed',
    });
  });

  it('is not confused by global or sticky regexes from one line to the next', () => {
    const c = new Classifier([{ name: 'X', regex: /x/g }], [{ source: 'bad', regex: /bad/y }]);
    for (let i = 0; i < 3; i++) {
      expect(c.classify('one x here').event?.type).toBe('X');
      expect(c.classify('bad').forbidden).toBe('bad');
    }
  });

  it('only matches the first MAX_MATCH_CHARS characters of a line', () => {
    const padding = 'x'.repeat(MAX_MATCH_CHARS - 'HardFault'.length);
    expect(classifier.classify(padding + 'HardFault').forbidden).toBe('HardFault');
    expect(classifier.classify(padding + 'xHardFault').forbidden).toBeUndefined();
    expect(classifier.classify('y'.repeat(MAX_MATCH_CHARS) + 'MCUboot Bootloader Started').event).toBeUndefined();
  });

  it('stays fast on a hostile multi-megabyte line', () => {
    // `(\S+) running` backtracks quadratically over a run of non-spaces: uncapped, 4 MB of it takes hours
    // (measured: 64 KiB 4.7 s, 256 KiB 53 s); capped at 4 KiB it is milliseconds.
    const c = new Classifier([{ name: 'APP', regex: /(?<name>\S+) running/ }], [{ source: '(\\S+) crashed', regex: /(\S+) crashed/ }]);
    const line = 'x'.repeat(4 * 1024 * 1024);
    const started = performance.now();
    expect(c.classify(line)).toEqual({});
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('lists the named groups of a pattern', () => {
    expect(namedGroups(/Factory app v(?<version>\S+) running(?: on (?<board>\S+))?/)).toEqual(['version', 'board']);
    expect(namedGroups(/MCUboot (\d+)/)).toEqual([]);
    expect(namedGroups(/^(?<a>x)$/g)).toEqual(['a']);
  });
});
