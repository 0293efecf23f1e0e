import { loadRig } from '../config/Rig.js';
import { loadScenario } from '../config/Scenario.js';
import { ConfigError } from '../errors.js';
import { Project } from '../run/Project.js';
import { out, paint, useColor } from './output.js';

interface Entry {
  kind: 'scenario' | 'rig';
  name: string;
  file: string;
  description: string;
  labels: string[];
  params?: Record<string, string[]>;
  error?: string;
}

/** `hil list`: scenarios and rigs, one line each with its description (`--json` for schedulers). */
export function listCommand(opts: { json?: boolean }): number {
  const project = new Project();
  const entries: Entry[] = [];
  for (const { name, file } of project.list('scenarios')) {
    try {
      const s = loadScenario(file);
      entries.push({ kind: 'scenario', name, file, description: s.description, labels: s.rigs.labels, params: s.params });
    } catch (error) {
      entries.push({ kind: 'scenario', name, file, description: '', labels: [], error: error instanceof ConfigError ? error.message : String(error) });
    }
  }
  for (const { name, file } of project.list('rigs')) {
    try {
      const r = loadRig(file);
      entries.push({ kind: 'rig', name, file, description: r.description, labels: r.labels });
    } catch (error) {
      entries.push({ kind: 'rig', name, file, description: '', labels: [], error: error instanceof ConfigError ? error.message : String(error) });
    }
  }
  if (opts.json) {
    out(JSON.stringify(entries, null, 2));
    return 0;
  }
  const color = useColor();
  const width = Math.max(...entries.map((e) => e.name.length), 4);
  for (const kind of ['scenario', 'rig'] as const) {
    out(paint('bold', kind === 'scenario' ? 'Scenarios' : 'Rigs', color));
    for (const e of entries.filter((x) => x.kind === kind)) {
      const text = e.error ? paint('red', `invalid: ${e.error.split('\n')[0]}`, color) : e.description.split('\n')[0];
      const labels = e.labels.length ? paint('gray', ` [${e.labels.join(', ')}]`, color) : '';
      out(`  ${e.name.padEnd(width)}  ${text}${labels}`);
    }
  }
  return 0;
}
