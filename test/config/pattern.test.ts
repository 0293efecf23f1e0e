import { describe, expect, it } from '@jest/globals';
import { compilePattern } from '../../src/config/pattern.js';
import { cpuMsSince } from '../helpers/cpuTime.js';

function check(source: string): { regex?: RegExp; message?: string } {
  let message: string | undefined;
  const regex = compilePattern(source, (m) => (message = m));
  return { regex, message };
}

describe('compilePattern', () => {
  it.each([
    ['', /^empty pattern: it matches every line/],
    ['(?i)', /^empty pattern/],
    ['.*', /matches every line \(it can match nothing at all\)/],
    ['(x)?', /matches every line/],
    ['(?<=x(a|ab)+)c', /uses a lookbehind, which the linear-time regexp engine cannot run/],
    ['(?<!x)c', /uses a lookbehind/],
    ['Booting(?=.*v1)', /uses a lookahead/],
    ['(\\w+) \\1', /uses a backreference/],
    ['(?<w>\\w+) \\k<w>', /uses a backreference/],
    ['[0-9a-f]{64}', /uses a repeat count over about 16/],
    ['^(a|b?a)+$', /alternatives can match the same text/],
    ['^([ -~]|[!-~ ])+#$', /alternatives can match the same text/],
    ['(ab|a?c)+', /alternatives can match the same text/],
    ['(a+)+b', /nests quantifiers/],
  ])('refuses %j', (source, message) => {
    const r = check(source);
    expect(r.regex).toBeUndefined();
    expect(r.message).toMatch(message);
  });

  it.each([
    'MCUboot Bootloader Started',
    '(?<app>Factory|Upgrade) app v(?<version>\\S+) running',
    'Copying factory image \\d+%',
    '^$',
    '(a|b)+',
    '(ab|ba)+',
    '[0-9a-f]{16}',
    '\\(\\?=', // an escaped lookahead is plain text
    '[(?<=]x',
  ])('accepts %j', (source) => {
    expect(check(source)).toEqual({ regex: expect.any(RegExp), message: undefined });
  });

  it('(?i) matches either case of ASCII letters, in classes, ranges and negated classes too', () => {
    const { regex } = check('(?i)hard ?fault [a-c]+ [^x] \\x41 (?<v>\\S+)');
    expect(regex!.exec('HardFault ABCabc Y A v1')?.groups).toEqual({ v: 'v1' });
    expect(regex!.test('hardfault abc X A v1')).toBe(false); // [^x] excludes X as well as x
    expect(regex!.test('hardfault abc y A v1')).toBe(true);
    expect(regex!.test('hardfault abc y a v1')).toBe(false); // an escape is left as written: \x41 is only A
  });

  it('a polynomial pattern falls back to linear time on a garbled line', () => {
    const { regex } = check('\\d*\\d*\\d*\\d*x');
    const started = process.cpuUsage();
    expect(regex!.test('1'.repeat(50_000))).toBe(false);
    expect(cpuMsSince(started)).toBeLessThan(1_000);
  });
});
