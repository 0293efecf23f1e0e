import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../src/core/errors.js';
import { ConsoleLines, consoleRegExp } from '../../src/api/ConsoleLines.js';

const line = (text: string, t = 0) => ({ text, t, raw: Buffer.from(`${text}\n`) });
const never = new AbortController().signal;
const next = (lines: ConsoleLines, pattern: string | RegExp, timeoutMs = 1000) =>
  lines.next(consoleRegExp(pattern, 'test'), { timeoutMs, signal: never, onTimeout: () => new Error('timed out') });

describe('console lines', () => {
  it('answers from lines already printed, then from the cursor on: no line answers twice', async () => {
    const lines = new ConsoleLines();
    lines.push(line('boot 1', 1));
    lines.push(line('boot 2', 2));
    expect((await next(lines, 'boot')).line).toBe('boot 1');
    expect((await next(lines, 'boot')).line).toBe('boot 2');
    const third = next(lines, /boot (?<n>\d)/);
    lines.push(line('other'));
    lines.push(line('boot 3', 3));
    const match = await third;
    expect(match).toMatchObject({ line: 'boot 3', t: 3, text: 'boot 3', groups: { n: '3' } });
    expect(match.match[1]).toBe('3');
    await expect(next(lines, 'other', 20)).rejects.toThrow('timed out');
  });

  it('skips what was printed before when told (a power-on starts a new boot)', async () => {
    const lines = new ConsoleLines();
    lines.push(line('No valid image found'));
    lines.skipToEnd();
    expect(lines.unread()).toEqual([]);
    const found = next(lines, 'No valid image', 500);
    lines.push(line('No valid image found again'));
    expect((await found).line).toBe('No valid image found again');
  });

  it('refuses a pattern it cannot run, saying why, as a scenario pattern would be', () => {
    expect(() => consoleRegExp('Copying (', 'console.expect')).toThrow(ConfigError);
    expect(() => consoleRegExp('Copying (', 'console.expect')).toThrow(/^console\.expect: invalid regular expression "Copying \(": /);
    expect(() => consoleRegExp('(a+)+b', 'console.expect')).toThrow(/nests quantifiers/);
    expect(() => consoleRegExp('', 'console.expect')).toThrow(/empty pattern/);
    expect(consoleRegExp('(?i)factory', 'x').test('FACTORY app')).toBe(true);
    expect(consoleRegExp(/x/gy, 'x').flags).toBe('');
  });
});
