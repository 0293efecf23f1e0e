import { setFlagsFromString } from 'node:v8';

// The `l` flag (V8's linear-time engine) checks that a pattern has a linear-time fallback, which V8 then uses
// on a line that makes the pattern backtrack excessively. Set before any pattern is compiled.
setFlagsFromString('--enable-experimental-regexp-engine');
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

/**
 * Compiles a console pattern at load time. Patterns run on every console line, garbage included, so what V8's
 * linear-time engine cannot run is refused: lookarounds, backreferences (a lookbehind holding an overlapping
 * group hung a run), long counted repeats. Everything else has that engine to fall back on. Two shapes that
 * backtrack catastrophically are refused besides, with a message saying how to rewrite them: a repeated
 * group that itself holds a repetition, however deep (`(a+)+`, `((ab)*)+c`), and a repeated group whose
 * alternatives can start the same way (`(a|a)+`, `(.|x)*`, `(a|b?a)+`, `([ -~]|[!-~ ])+`).
 */
interface Group {
  repeats: boolean;
  /** Atoms each alternative can start with: its first, and the next ones while those are optional (`b?a`). */
  firsts: string[][];
  /** The current alternative's atoms so far are all optional: the next atom can start it too. */
  open: boolean;
}

/** Classes that overlap almost anything, so an alternative starting with one overlaps its siblings. */
const BROAD = /^(\.|\\[SWDswd]|\[\^)/;

/** The printable ASCII characters an atom matches, to tell whether two alternatives' first atoms overlap. */
function asciiSet(atom: string): Set<number> | undefined {
  if (atom.startsWith('(')) return undefined;
  try {
    const one = new RegExp(`^(?:${atom})$`);
    const set = new Set<number>();
    for (let c = 0x20; c < 0x7f; c++) if (one.test(String.fromCharCode(c))) set.add(c);
    return set;
  } catch {
    return undefined;
  }
}

function overlap(a: string, b: string): boolean {
  if (a === b || BROAD.test(a) || BROAD.test(b)) return true;
  const [x, y] = [asciiSet(a), asciiSet(b)];
  return Boolean(x && y && [...x].some((c) => y.has(c)));
}

function alternativesOverlap(firsts: string[][]): boolean {
  const alts = firsts.filter((f) => f.length);
  return alts.some((f, i) => alts.slice(i + 1).some((g) => f.some((a) => g.some((b) => overlap(a, b)))));
}

function backtrackRisk(source: string): 'nested' | 'overlap' | undefined {
  const newGroup = (): Group => ({ repeats: false, firsts: [[]], open: true });
  const stack: Group[] = [newGroup()];
  /** The atom just read was one an alternative can start with: a following `?` or `*` keeps the start open. */
  let justStarted = false;
  const addAtom = (group: Group, atom: string) => {
    justStarted = group.open;
    if (group.open) group.firsts.at(-1)!.push(atom);
    group.open = false;
  };
  let i = 0;
  while (i < source.length) {
    const top = stack.at(-1)!;
    const c = source[i]!;
    if (c === '\\') {
      addAtom(top, source.slice(i, i + 2));
      i += 2;
    } else if (c === '[') {
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      addAtom(top, source.slice(i, j + 1));
      i = j + 1;
    } else if (c === '(') {
      const prefix = /^\((?:\?(?:[:=!]|<[=!]|<[A-Za-z_$][\w$]*>))?/.exec(source.slice(i))![0];
      stack.push(newGroup());
      i += prefix.length;
    } else if (c === ')') {
      const group = stack.length > 1 ? stack.pop()! : top;
      i++;
      const quantifier = /^(?:[*+]|\{\d+,\d*\})/.exec(source.slice(i));
      const parent = stack.at(-1)!;
      if (quantifier) {
        if (group.repeats) return 'nested';
        if (alternativesOverlap(group.firsts)) return 'overlap';
        i += quantifier[0].length;
      }
      parent.repeats ||= group.repeats || quantifier !== null;
      addAtom(parent, `(${group.firsts.map((f) => f.join('|')).join('|')})`);
      if (quantifier && /^[*{]/.test(quantifier[0]) && justStarted) parent.open = true;
    } else if (c === '|') {
      top.firsts.push([]);
      top.open = true;
      justStarted = false;
      i++;
    } else if (c === '*' || c === '+' || c === '?' || (c === '{' && /^\{\d+,\d*\}/.test(source.slice(i)))) {
      if (c !== '?') top.repeats = true;
      // `b?a`, `b*a`, `b{0,}a`: the alternative can start with `a` as well.
      if (justStarted && c !== '+' && !/^\{[1-9]/.test(source.slice(i))) top.open = true;
      justStarted = false;
      i++;
    } else if (c === '^') {
      i++;
    } else {
      addAtom(top, c);
      i++;
    }
  }
  return undefined;
}

/**
 * `(?i)` without the `i` flag, for which the linear engine has no mode: each ASCII letter becomes both of its
 * cases (`a` -> `[aA]`, `[a-f]` -> `[a-fA-F]`). Letters in escapes and group names are left alone.
 */
function asciiCaseless(body: string): string {
  const other = (c: string) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());
  const letter = /^[A-Za-z]$/;
  let out = '';
  let inClass = false;
  let i = 0;
  while (i < body.length) {
    const rest = body.slice(i);
    const verbatim =
      /^(?:\\(?:k<[^>]*>|[pPu]\{[^}]*\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|c[A-Za-z]|[^])|\(\?<[A-Za-z_$][\w$]*>|\(\?[:=!]|\(\?<[=!]|\{\d*,?\d*\})/.exec(
        rest,
      );
    const range = inClass ? /^([A-Za-z])-([A-Za-z])/.exec(rest) : null;
    if (verbatim && !(inClass && verbatim[0].startsWith('{'))) {
      out += verbatim[0];
      i += verbatim[0].length;
    } else if (range) {
      const swapped = `${other(range[1]!)}-${other(range[2]!)}`;
      out += range[0] + (swapped[0]! <= swapped[2]! ? swapped : '');
      i += 3;
    } else {
      const c = body[i]!;
      if (c === '[' && !inClass) inClass = true;
      else if (c === ']' && inClass) inClass = false;
      out += !letter.test(c) ? c : inClass ? c + other(c) : `[${c}${other(c)}]`;
      i++;
    }
  }
  return out;
}

/** Which construct the linear engine refused, for the message. */
function unsupportedConstruct(body: string): string | undefined {
  for (const m of body.matchAll(/\\k<|\\[1-9]|\\[^]|\[(?:\\[^]|[^\]\\])*\]|\(\?<[=!]|\(\?[=!]/g)) {
    const t = m[0];
    if (t === '\\k<' || /^\\[1-9]$/.test(t)) return 'a backreference';
    if (t.startsWith('(?<')) return 'a lookbehind';
    if (t.startsWith('(?')) return 'a lookahead';
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
  if (body === '') {
    report('empty pattern: it matches every line; write the text the line must contain');
    return undefined;
  }
  let regex: RegExp;
  try {
    regex = new RegExp(body, caseless ? 'i' : '');
  } catch (err) {
    report(`invalid regular expression ${JSON.stringify(source)}: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
    return undefined;
  }
  // A pattern that matches the empty string anywhere (`.*`, `x?`) matches every line.
  if (regex.test('') && regex.test('\u0007~#')) {
    report(`pattern ${JSON.stringify(source)} matches every line (it can match nothing at all); write the text the line must contain`);
    return undefined;
  }
  // Run by the backtracking engine (three times faster on ordinary lines), which hands a line over to the
  // linear one when it backtracks too much: that fallback exists only for what the linear engine can run.
  const runnable = caseless ? asciiCaseless(body) : body;
  try {
    // 'l' is V8's linear-engine flag (node --enable-experimental-regexp-engine), unknown to the linter.
    // eslint-disable-next-line no-invalid-regexp
    new RegExp(runnable, 'l');
  } catch {
    const construct = unsupportedConstruct(body) ?? 'a repeat count over about 16 (write + or * instead)';
    report(
      `pattern ${JSON.stringify(source)} uses ${construct}, which the linear-time regexp engine cannot run, so a garbled line could hang the run; match the text itself instead`,
    );
    return undefined;
  }
  const risk = backtrackRisk(body);
  if (risk === 'nested') {
    report(
      `pattern ${JSON.stringify(source)} nests quantifiers and can backtrack for ever on a garbled line; rewrite it without a repeated group that itself repeats`,
    );
    return undefined;
  }
  if (risk === 'overlap') {
    report(
      `pattern ${JSON.stringify(source)} repeats a group whose alternatives can match the same text, which can backtrack for ever on a garbled line; make the alternatives start differently`,
    );
    return undefined;
  }
  return new RegExp(runnable);
}
