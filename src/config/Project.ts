import { existsSync, readdirSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../core/errors.js';
import { suggestion } from '../core/didYouMean.js';

/** Where hil itself is installed: its rigs/ and scenarios/ (the virtual rig and its scenarios) are always available. */
const HIL_HOME = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * A project is the nearest directory (from cwd up) holding rigs/ or scenarios/. Names are looked up
 * there first, then in hil's own folders, so a team's repository can use the built-in virtual rig.
 */
export class Project {
  readonly root: string;
  constructor(cwd: string = process.cwd()) {
    let dir = resolve(cwd);
    for (;;) {
      if (existsSync(join(dir, 'rigs')) || existsSync(join(dir, 'scenarios'))) break;
      const parent = dirname(dir);
      if (parent === dir) {
        dir = resolve(cwd);
        break;
      }
      dir = parent;
    }
    this.root = dir;
  }

  private folders(kind: 'rigs' | 'scenarios'): string[] {
    return [...new Set([join(this.root, kind), join(HIL_HOME, kind)])].filter((d) => existsSync(d));
  }

  /** Every `*.yaml` in the project's and hil's folders, project first; a project file shadows hil's of the same name. */
  list(kind: 'rigs' | 'scenarios'): Array<{ name: string; file: string }> {
    const seen = new Map<string, string>();
    for (const folder of this.folders(kind)) {
      for (const entry of readdirSync(folder).sort()) {
        if (!/\.ya?ml$/.test(entry)) continue;
        const name = entry.replace(/\.ya?ml$/, '');
        if (!seen.has(name)) seen.set(name, join(folder, entry));
      }
    }
    return [...seen].map(([name, file]) => ({ name, file }));
  }

  /** A name (`virtual`) or a path (`rigs/lab3.yaml`, `./x.yaml`). */
  resolve(kind: 'rigs' | 'scenarios', ref: string): string {
    const looksLikePath = ref.includes('/') || extname(ref) !== '';
    if (looksLikePath) {
      const file = isAbsolute(ref) ? ref : resolve(ref);
      if (!existsSync(file)) throw new ConfigError({ file: ref, message: `no such ${kind === 'rigs' ? 'rig' : 'scenario'} file` });
      return file;
    }
    const known = this.list(kind);
    const hit = known.find((k) => k.name === ref);
    if (hit) return hit.file;
    const what = kind === 'rigs' ? 'rig' : 'scenario';
    throw new ConfigError({
      file: ref,
      message: `no ${what} named "${ref}"${suggestion(
        ref,
        known.map((k) => k.name),
      )}; known: ${known.map((k) => k.name).join(', ') || 'none'} (looked in ${this.folders(kind).join(', ')})`,
    });
  }

  /**
   * What to type to name `file` again in a command hil prints (a replay, a rig check): `name` when looking it up
   * finds that very file, else the file's path from `cwd`, quoted for a shell when it needs to be.
   */
  refFor(kind: 'rigs' | 'scenarios', name: string, file: string, cwd: string = process.cwd()): string {
    try {
      if (resolve(this.resolve(kind, name)) === resolve(file)) return name;
    } catch {
      // Not found by name: the path it is.
    }
    const path = relative(cwd, file) || file;
    return /^[\w./@%+=:,-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
  }
}
