import { relative } from 'node:path';
import { Composer, LineCounter, isMap, isPair, isScalar, isSeq, visit, type Document, type Node } from 'yaml';
import { ConfigError, type ConfigIssue } from '../core/errors.js';
import { readInputText } from './inputFile.js';
import { parseWithinLimits } from './yamlLimits.js';

export type FieldPath = ReadonlyArray<string | number>;

/**
 * Files above this size are refused before parsing. The largest shipped config is 10 kB; the YAML parser
 * needs about a second per 100 kB of hostile input on a loaded machine, and a refusal must come within 2 s.
 */
export const MAX_BYTES = 128 * 1024;

/** `steps[3].cut.after` */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

function positionOf(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

/**
 * `.nan`, `.inf` and numbers too large for a double (`1e309`) are numbers to YAML, but no field means them, and once
 * converted they print as `null` (JSON has no NaN): refused here, for every field at once, where their text is known.
 */
function nonFiniteNumbers(doc: Document): Array<{ path: FieldPath; source: string; offset: number }> {
  const found: Array<{ path: FieldPath; source: string; offset: number }> = [];
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'number' || Number.isFinite(node.value)) return;
      const path: Array<string | number> = [];
      for (let i = 0; i < ancestors.length; i++) {
        const at = ancestors[i];
        const child = ancestors[i + 1] ?? node;
        if (isPair(at) && isScalar(at.key)) path.push(String(at.key.value));
        else if (isSeq(at)) path.push(at.items.indexOf(child as never));
      }
      found.push({ path, source: node.source ?? String(node.value), offset: node.range?.[0] ?? 0 });
    },
  });
  return found;
}

/**
 * A parsed YAML file that still knows where every value came from, so each problem found later
 * (schema, model, layout) can be reported as `file:line:col field: message`.
 */
export class YamlFile {
  readonly file: string;
  readonly displayName: string;
  readonly data: unknown;
  private readonly doc: Document;
  private readonly lines: LineCounter;

  private constructor(file: string, displayName: string, doc: Document, lines: LineCounter) {
    this.file = file;
    this.displayName = displayName;
    this.doc = doc;
    this.lines = lines;
    this.data = doc.toJS({ maxAliasCount: 100 });
  }

  static read(file: string, cwd: string = process.cwd()): YamlFile {
    const displayName = relative(cwd, file).startsWith('..') ? file : relative(cwd, file) || file;
    return YamlFile.parse(readInputText(file, { maxBytes: MAX_BYTES, name: displayName }), file, displayName);
  }

  static parse(text: string, file: string, displayName: string = file): YamlFile {
    // A NUL is never in a text file; U+FFFD is what bytes that are not UTF-8 (a UTF-16 BOM included) decode to.
    const binary = /[\u0000\uFFFD]/.exec(text);
    if (binary) {
      const what = binary[0] === '\u0000' ? 'a NUL byte' : 'bytes that are not UTF-8';
      throw new ConfigError({ file: displayName, ...positionOf(text, binary.index), message: `${what}: config files are UTF-8 text` });
    }
    const lines = new LineCounter();
    // Parsed and composed in two steps (what parseDocument does in one) so that the limits are checked in between.
    const tokens = parseWithinLimits(text, lines.addNewLine);
    if (!Array.isArray(tokens)) {
      throw new ConfigError({ file: displayName, ...positionOf(text, tokens.offset), message: `invalid YAML: ${tokens.message}` });
    }
    const [doc, second] = new Composer({ uniqueKeys: true, strict: true }).compose(tokens, true, text.length);
    // Only the first: later YAML errors are mostly the parser losing its footing after the first. An unknown
    // tag (`!exec`) is only a warning to the parser, but its value would be silently read as plain data.
    const first =
      doc!.errors[0] ??
      (second && { pos: second.range, message: 'a second document (after ---); a config file holds one' }) ??
      doc!.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
    if (first) {
      const why = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw new ConfigError({ file: displayName, ...lines.linePos(first.pos[0]), message: `invalid YAML: ${why}` });
    }
    // Nothing to point at later: a schema would only say "got null", with no line. A document marker alone
    // (`---`) makes an empty plain scalar rather than no contents.
    const contents = doc!.contents;
    if (contents === null || (isScalar(contents) && contents.value === null && contents.source === '')) {
      const comments = text.split('\n').some((l) => l.trim().startsWith('#'));
      const message = !text.trim()
        ? 'the file is empty'
        : comments
          ? 'the file holds only comments: no settings'
          : 'the file holds no settings';
      throw new ConfigError({ file: displayName, line: 1, col: 1, message });
    }
    const nonFinite = nonFiniteNumbers(doc!);
    if (nonFinite.length) {
      throw new ConfigError(
        nonFinite.map(({ path, source, offset }) => ({
          file: displayName,
          ...lines.linePos(offset),
          field: formatFieldPath(path) || undefined,
          message: `${source} is not a finite number`,
        })),
      );
    }
    try {
      return new YamlFile(file, displayName, doc!, lines);
    } catch (err) {
      // Aliases are resolved only now (an undefined one, or so many that they would blow up memory): point at the first culprit.
      const message = (err as Error).message;
      let at: { line: number; col: number } | undefined;
      visit(doc, {
        Alias(_, node) {
          if (at || (/Unresolved alias/.test(message) && !message.endsWith(`: ${node.source}`))) return;
          if (node.range) at = lines.linePos(node.range[0]);
          return visit.BREAK;
        },
      });
      throw new ConfigError({ file: displayName, line: at?.line, col: at?.col, message: `invalid YAML: ${message}` });
    }
  }

  /** Position of the value at `path`; falls back to the nearest ancestor that exists. With `key`, the key of the last segment. */
  locate(path: FieldPath, key = false): { line: number; col: number } | undefined {
    let node: unknown = this.doc.contents;
    let found: { line: number; col: number } | undefined = this.position(node);
    for (let i = 0; i < path.length; i++) {
      const part = path[i]!;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => {
          const k = p.key as Node | null;
          return k && 'value' in k ? String((k as { value: unknown }).value) === String(part) : false;
        });
        if (!pair) return found;
        if (last && key) return this.position(pair.key) ?? found;
        node = pair.value;
      } else if (isSeq(node) && typeof part === 'number') {
        node = node.items[part];
      } else {
        return found;
      }
      found = this.position(node) ?? found;
    }
    return found;
  }

  issue(path: FieldPath, message: string, options: { key?: boolean } = {}): ConfigIssue {
    const pos = this.locate(path, options.key);
    return { file: this.displayName, line: pos?.line, col: pos?.col, field: path.length ? formatFieldPath(path) : undefined, message };
  }

  private position(node: unknown): { line: number; col: number } | undefined {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? this.lines.linePos(range[0]) : undefined;
  }
}
