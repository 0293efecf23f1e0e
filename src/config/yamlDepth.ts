import { Lexer, Parser, type CST } from 'yaml';

/** Deeper than this is never a config file. */
export const MAX_DEPTH = 64;

/** Lexer tokens that mark structure and stand for no source text. */
const NOT_SOURCE = new Set(['\x02', '\x18', '\x1f']);

/**
 * The YAML library's CST of `text`, or the offset of the first collection nested more than `limit` levels
 * deep. Composing a document from the CST recurses (20,000 nested `[` overflow the stack, or abort V8
 * outright) and the CST parser slows down quadratically with flow nesting, so the flow depth is checked on
 * the lexer's tokens (stopping at the first one too deep) and the whole depth on the CST, without recursion.
 */
export function parseWithinDepth(text: string, onNewLine: (offset: number) => void, limit: number = MAX_DEPTH): CST.Token[] | number {
  let offset = 0;
  let flow = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') {
      if (++flow > limit) return offset;
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
      if (depth + 1 > limit) return token.offset;
      for (const item of token.items) {
        pending.push({ token: item.key, depth: depth + 1 }, { token: item.value, depth: depth + 1 });
      }
    }
  }
  return tokens;
}
