import { relative } from 'node:path';
import { loadRig } from '../rig/RigSpec.js';
import { loadScenario } from '../scenario/Scenario.js';
import { readInputText } from '../config/inputFile.js';
import { MAX_BYTES } from '../config/YamlFile.js';
import { ConfigError, formatIssue, type ConfigIssue } from '../core/errors.js';
import { Project } from '../config/Project.js';
import { EXIT } from '../core/outcome.js';
import { out, paint, useColor } from './output.js';

/**
 * A file is a rig if it has a top-level console or power key, a scenario if it has steps; the folder decides
 * otherwise. Only looked for in the text: the loader parses the file (once) and reports its problems.
 */
function kindOf(file: string): 'rig' | 'scenario' {
  try {
    const keys = /^(steps|expect|console|power)\s*:/gm;
    const found = new Set(Array.from(readInputText(file, { maxBytes: MAX_BYTES }).matchAll(keys), (m) => m[1]));
    if (found.has('steps') || found.has('expect')) return 'scenario';
    if (found.has('console') || found.has('power')) return 'rig';
  } catch {
    // The loader reports an unreadable file properly below.
  }
  return /(^|\/)rigs\//.test(file) ? 'rig' : 'scenario';
}

/** `hil validate [files...]`: every shipped rig and scenario with no argument. Exit 2 if any has a problem. */
export function validateCommand(files: string[]): number {
  const project = new Project();
  const targets = files.length
    ? files.map((f) => ({ file: f, kind: kindOf(f) }))
    : [
        ...project.list('rigs').map((r) => ({ file: r.file, kind: 'rig' as const })),
        ...project.list('scenarios').map((s) => ({ file: s.file, kind: 'scenario' as const })),
      ];
  const color = useColor();
  const problems: ConfigIssue[] = [];
  for (const { file, kind } of targets) {
    try {
      if (kind === 'rig') loadRig(file);
      else loadScenario(file);
      out(`${paint('green', 'ok  ', color)} ${kind.padEnd(8)} ${relative(process.cwd(), file) || file}`);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.issues);
      for (const issue of error.issues) out(`${paint('red', 'FAIL', color)} ${formatIssue(issue)}`);
    }
  }
  out(`${targets.length} files checked, ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  return problems.length ? EXIT.config : EXIT.ok;
}
