import { Lexer, Parser, type CST } from 'yaml';

/** Deeper than this is never a config file. */
const MAX_DEPTH = 64;

/**
 * More lexer tokens than this is never a config file: the largest shipped one has about 1,500. The YAML
 * library spends about 10 µs of CPU (mostly garbage collection) per token, so 130,000 one-character
 * collections, which fit under the byte cap, take more than the 2 s a refusal may take.
 */
const MAX_TOKENS = 40_000;

/** Lexer tokens that mark structure and stand for no source text. */
const NOT_SOURCE = new Set(['\x02', '\x18', '\x1f']);

/** Where the text breaks a limit, and which. */
export interface LimitBroken {
  offset: number;
  message: string;
}

/**
 * The YAML library's CST of `text`, or where it first breaks a limit. Composing a document from the CST
 * recurses (20,000 nested `[` overflow the stack, or abort V8 outright) and the CST parser slows down
 * quadratically with flow nesting, so the flow depth and the token count are checked on the lexer's tokens
 * (stopping at the first one too many) and the whole depth on the CST, without recursion.
 */
export function parseWithinLimits(
  text: string,
  onNewLine: (offset: number) => void,
  limits: { depth: number; tokens: number } = { depth: MAX_DEPTH, tokens: MAX_TOKENS },
): CST.Token[] | LimitBroken {
  const tooDeep = (offset: number): LimitBroken => ({ offset, message: `nested more than ${limits.depth} levels deep` });
  let offset = 0;
  let flow = 0;
  let count = 0;
  for (const token of new Lexer().lex(text)) {
    if (!NOT_SOURCE.has(token) && ++count > limits.tokens) {
      return {
        offset,
        message: `more than ${limits.tokens.toLocaleString('en-US')} tokens (keys, values, brackets); a config file holds a few thousand`,
      };
    }
    if (token === '[' || token === '{') {
      if (++flow > limits.depth) return tooDeep(offset);
    } else if (token === ']' || token === '}') {
      flow = Math.max(0, flow - 1);
    }
    if (!NOT_SOURCE.has(token)) offset += token.length;
  }
  const tokens = Array.from(new Parser(onNewLine).parse(text));
  const pending: Array<{ token: CST.Token | null | undefined; depth: number }> = [];
  for (const top of tokens) {
    pending.push({ token: top.type === 'document' ? top.value : undefined, depth: 0 });
    while (pending.length) {
      const { token, depth } = pending.pop()!;
      if (!token || !('items' in token)) continue;
      if (depth + 1 > limits.depth) return tooDeep(token.offset);
      for (const item of token.items) {
        pending.push({ token: item.key, depth: depth + 1 }, { token: item.value, depth: depth + 1 });
      }
    }
  }
  return tokens;
}
