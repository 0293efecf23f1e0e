import { loadRig } from '../config/Rig.js';
import { loadScenario } from '../config/Scenario.js';
import { ConfigError } from '../errors.js';
import { expandCases } from '../run/cases.js';
import { Project } from '../run/Project.js';
import { Quarantine, type RigHealth } from '../run/Quarantine.js';
import { leaseDir, readLease, type LeaseHolder } from '../run/RigLease.js';
import { out, paint, useColor } from './output.js';

interface Entry {
  kind: 'scenario' | 'rig';
  name: string;
  file: string;
  description: string;
  labels: string[];
  params?: Record<string, string[]>;
  /** Scenario: the rigs it runs on (its named rig, or every rig with all its labels) and its case ids. */
  rigs?: string[];
  cases?: string[];
  /** Scenario with `hit: all` / `{ every }`: `cases` is its first point; the run goes on until no hit is left. */
  hitSweep?: { param: string; every: number; openEnded: true };
  /** Rig: out of service until `hil rig check` passes, and who holds it right now. */
  quarantined?: RigHealth;
  lease?: LeaseHolder;
  error?: string;
}

/** `hil list`: scenarios and rigs, one line each with its description (`--json` for schedulers). */
export function listCommand(opts: { json?: boolean }): number {
  const project = new Project();
  const entries: Entry[] = [];
  const rigs = project.list('rigs').flatMap(({ name, file }) => {
    try {
      return [{ name, labels: loadRig(file).labels }];
    } catch {
      return [];
    }
  });
  for (const { name, file } of project.list('scenarios')) {
    try {
      const s = loadScenario(file);
      const runsOn = s.rigs.name ? [s.rigs.name] : rigs.filter((r) => s.rigs.labels.every((l) => r.labels.includes(l))).map((r) => r.name);
      // A hit sweep's cases are found as it runs: `cases` holds its first point, `hitSweep` says how it goes on.
      const hitSweep = s.hitSweep ? { hitSweep: { ...s.hitSweep, openEnded: true as const } } : {};
      entries.push({ kind: 'scenario', name, file, description: s.description, labels: s.rigs.labels, params: s.params, rigs: runsOn, cases: expandCases(s).map((c) => c.id), ...hitSweep });
    } catch (error) {
      entries.push({ kind: 'scenario', name, file, description: '', labels: [], error: error instanceof ConfigError ? error.message : String(error) });
    }
  }
  for (const { name, file } of project.list('rigs')) {
    try {
      const r = loadRig(file);
      const quarantined = new Quarantine(project.root).quarantined(r.name);
      const lease = readLease(leaseDir(project.root), r.name);
      entries.push({ kind: 'rig', name, file, description: r.description, labels: r.labels, ...(quarantined ? { quarantined } : {}), ...(lease ? { lease } : {}) });
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
