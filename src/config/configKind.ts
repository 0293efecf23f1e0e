import { readInputText } from './inputFile.js';
import { MAX_BYTES } from './YamlFile.js';

/**
 * A file is a rig if it has a top-level console or power key, a scenario if it has steps; the folder decides
 * otherwise. Only looked for in the text: the loader parses the file (once) and reports its problems.
 */
export function configKind(file: string): 'rig' | 'scenario' {
  try {
    const keys = /^(steps|expect|console|power)\s*:/gm;
    const found = new Set(Array.from(readInputText(file, { maxBytes: MAX_BYTES }).matchAll(keys), (m) => m[1]));
    if (found.has('steps') || found.has('expect')) return 'scenario';
    if (found.has('console') || found.has('power')) return 'rig';
  } catch {
    // The loader reports an unreadable file properly.
  }
  return /(^|\/)rigs\//.test(file) ? 'rig' : 'scenario';
}
