import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../src/scenario/Scenario.js';
import { ConfigError } from '../../src/core/errors.js';

function load(patterns: string): ReturnType<typeof loadScenario> {
  const file = join(mkdtempSync(join(tmpdir(), 'hil-patterns-')), 'prompt.yaml');
  writeFileSync(
    file,
    ['steps:', '  - power: on', 'expect:', '  patterns:', patterns, '  model: { initial: a, states: { a: {} } }'].join('\n'),
  );
  return loadScenario(file);
}

function problems(patterns: string): string {
  try {
    load(patterns);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('expect.patterns', () => {
  it('takes a regex, or { pattern, prompt } for one that also matches the open tail', () => {
    const s = load("    BANNER: 'U-Boot \\d'\n    PROMPT: { pattern: '=> $', prompt: true }\n    HINT: { pattern: 'Hit any key' }");
    expect(s.expect.patterns.map((p) => [p.name, p.regex.source, p.prompt ?? false])).toEqual([
      ['BANNER', 'U-Boot \\d', false],
      ['PROMPT', '=> $', true],
      ['HINT', 'Hit any key', false],
    ]);
  });

  it('names the field of a bad pattern in the object form', () => {
    expect(problems("    PROMPT: { pattern: '(a+)+$', prompt: true }")).toMatch(/prompt\.yaml:5:\d+ expect\.patterns\.PROMPT\.pattern: /);
    expect(problems("    PROMPT: { regex: '=> $', prompt: true }")).toMatch(/expect\.patterns\.PROMPT/);
  });
});
