/**
 * Only this many characters of a line are matched. A board mid-power-cut can print one endless line of
 * garbage; matching cost grows with length (quadratically for a pattern like `.*a.*b`), so the cap keeps
 * every line's cost bounded. A pattern or forbidden text beyond the first 4 KiB of a line is not seen.
 */
export const MAX_MATCH_CHARS = 4096;

interface ClassifiedEvent {
  /** The pattern's name, which is the model event. */
  type: string;
  /** Named groups that took part in the match. */
  groups: Record<string, string>;
}

export interface Classification {
  event?: ClassifiedEvent;
  /** Source of the first forbidden pattern that matched. */
  forbidden?: string;
}

interface Pattern {
  name: string;
  regex: RegExp;
  /** Also matched against the console's unterminated tail (`=> `, `login: `): see `classifyPartial`. */
  prompt?: boolean;
}

interface Forbidden {
  source: string;
  regex: RegExp;
}

const NOTHING: Classification = Object.freeze({});

/** `g` and `y` make exec/test stateful through lastIndex; one line must never affect the next. */
function stateless(regex: RegExp): RegExp {
  return regex.global || regex.sticky ? new RegExp(regex.source, regex.flags.replace(/[gy]/g, '')) : regex;
}

/** Turns a console line into at most one model event (first matching pattern wins) and a forbidden verdict. */
export class Classifier {
  private readonly patterns: Pattern[];
  private readonly prompts: Pattern[];
  private readonly forbidden: Forbidden[];

  constructor(patterns: ReadonlyArray<Pattern>, forbidden: ReadonlyArray<Forbidden>) {
    this.patterns = patterns.map((p) => ({ name: p.name, regex: stateless(p.regex), prompt: p.prompt === true }));
    this.prompts = this.patterns.filter((p) => p.prompt);
    this.forbidden = forbidden.map((f) => ({ source: f.source, regex: stateless(f.regex) }));
  }

  /** Whether any pattern is a prompt pattern: without one, partial text needs no look at all. */
  get hasPrompts(): boolean {
    return this.prompts.length > 0;
  }

  /**
   * The event for text that has no line ending yet, matched against the prompt patterns only (first match
   * wins); forbidden patterns wait for the whole line.
   */
  classifyPartial(text: string): ClassifiedEvent | undefined {
    return firstMatch(this.prompts, text.length > MAX_MATCH_CHARS ? text.slice(0, MAX_MATCH_CHARS) : text);
  }

  classify(line: string): Classification {
    const text = line.length > MAX_MATCH_CHARS ? line.slice(0, MAX_MATCH_CHARS) : line;
    let forbidden: string | undefined;
    for (const f of this.forbidden) {
      if (f.regex.test(text)) {
        forbidden = f.source;
        break;
      }
    }
    const event = firstMatch(this.patterns, text);
    if (!event && forbidden === undefined) return NOTHING;
    const result: Classification = {};
    if (event) result.event = event;
    if (forbidden !== undefined) result.forbidden = forbidden;
    return result;
  }
}

function firstMatch(patterns: ReadonlyArray<Pattern>, text: string): ClassifiedEvent | undefined {
  for (const p of patterns) {
    const m = p.regex.exec(text);
    if (!m) continue;
    const groups: Record<string, string> = {};
    if (m.groups) {
      for (const [name, value] of Object.entries(m.groups)) if (value !== undefined) groups[name] = value;
    }
    return { type: p.name, groups };
  }
  return undefined;
}

/** Names of a regex's named groups, for checking `when:` against what a pattern can capture. */
export function namedGroups(regex: RegExp): string[] {
  // An empty alternative makes the regex match '' so exec reports every named group (all undefined).
  const probe = new RegExp(`(?:${regex.source})|`, regex.flags.replace(/[gy]/g, ''));
  return Object.keys(probe.exec('')?.groups ?? {});
}
