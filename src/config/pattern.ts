/**
 * Compiles a console pattern at load time. Patterns run on every console line, so a pattern that can
 * backtrack catastrophically is refused here rather than hanging a run: nested quantifiers such as
 * `(a+)+` or `(.*)*` are the classic shape.
 */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*](?:[^()\\]|\\.)*\)\s*[+*{]/;

export function compilePattern(source: string, report: (message: string) => void): RegExp | undefined {
  if (source.length > 1000) {
    report(`pattern is ${source.length} characters; the limit is 1000`);
    return undefined;
  }
  // `(?i)` at the start, as Python and PCRE users write it, is JavaScript's `i` flag.
  const caseless = source.startsWith('(?i)');
  const body = caseless ? source.slice(4) : source;
  let regex: RegExp;
  try {
    regex = new RegExp(body, caseless ? 'i' : '');
  } catch (err) {
    report(`invalid regular expression ${JSON.stringify(source)}: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
    return undefined;
  }
  if (NESTED_QUANTIFIER.test(body)) {
    report(`pattern ${JSON.stringify(source)} nests quantifiers and can backtrack for ever on a garbled line; rewrite it without a repeated group that itself repeats`);
    return undefined;
  }
  return regex;
}
