/**
 * Compiles a console pattern at load time. Patterns run on every console line, so a pattern that can
 * backtrack catastrophically is refused here rather than hanging a run. Two shapes are caught: a repeated
 * group that itself holds a repetition, however deep (`(a+)+`, `((ab)*)+c`), and a repeated group whose
 * alternatives can start the same way (`(a|a)+`, `(.|x)*`): both give a garbled line exponentially many ways
 * to be split.
 */
interface Group {
  repeats: boolean;
  /** First atom of each alternative (undefined until the alternative has one). */
  firsts: Array<string | undefined>;
}

/** Classes that overlap almost anything, so an alternative starting with one overlaps its siblings. */
const BROAD = /^(\.|\\[SWDswd]|\[\^)/;

function backtrackRisk(source: string): 'nested' | 'overlap' | undefined {
  const stack: Group[] = [{ repeats: false, firsts: [undefined] }];
  let i = 0;
  while (i < source.length) {
    const top = stack.at(-1)!;
    const c = source[i]!;
    let atom: string | undefined;
    if (c === '\\') {
      atom = source.slice(i, i + 2);
      i += 2;
    } else if (c === '[') {
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      atom = source.slice(i, j + 1);
      i = j + 1;
    } else if (c === '(') {
      const prefix = /^\((?:\?(?:[:=!]|<[=!]|<[A-Za-z_$][\w$]*>))?/.exec(source.slice(i))![0];
      stack.push({ repeats: false, firsts: [undefined] });
      i += prefix.length;
      continue;
    } else if (c === ')') {
      const group = stack.length > 1 ? stack.pop()! : top;
      i++;
      const quantifier = /^(?:[*+]|\{\d+,\d*\})/.exec(source.slice(i));
      const parent = stack.at(-1)!;
      if (quantifier) {
        if (group.repeats) return 'nested';
        const firsts = group.firsts.filter((f): f is string => f !== undefined);
        if (firsts.length > 1 && (new Set(firsts).size < firsts.length || firsts.some((f) => BROAD.test(f)))) return 'overlap';
        i += quantifier[0].length;
      }
      parent.repeats ||= group.repeats || quantifier !== null;
      const alt = parent.firsts.length - 1;
      parent.firsts[alt] ??= `(${group.firsts.join('|')})`;
      continue;
    } else if (c === '|') {
      top.firsts.push(undefined);
      i++;
      continue;
    } else if (c === '*' || c === '+' || (c === '{' && /^\{\d+,\d*\}/.test(source.slice(i)))) {
      top.repeats = true;
      i++;
      continue;
    } else {
      atom = c;
      i++;
    }
    const alt = top.firsts.length - 1;
    if (atom !== '^' && atom !== '?') top.firsts[alt] ??= atom;
  }
  return undefined;
}

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
  const risk = backtrackRisk(body);
  if (risk === 'nested') {
    report(`pattern ${JSON.stringify(source)} nests quantifiers and can backtrack for ever on a garbled line; rewrite it without a repeated group that itself repeats`);
    return undefined;
  }
  if (risk === 'overlap') {
    report(`pattern ${JSON.stringify(source)} repeats a group whose alternatives can match the same text, which can backtrack for ever on a garbled line; make the alternatives start differently`);
    return undefined;
  }
  return regex;
}
