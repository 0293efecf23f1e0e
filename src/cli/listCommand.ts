import { loadRig } from '../rig/RigSpec.js';
import { loadScenario } from '../scenario/Scenario.js';
import { ConfigError } from '../core/errors.js';
import { generateCases, type CaseSpec } from '../scenario/cases.js';
import { Project } from '../config/Project.js';
import { Quarantine, type RigHealth } from '../rig/Quarantine.js';
import { leaseDir, readLease, type LeaseHolder } from '../rig/RigLease.js';
import { out, outPaced, paint, useColor } from './output.js';
import { hasLabels } from '../rig/rigMatch.js';
import type { ListOptions } from './commandLine.js';

interface Entry {
  kind: 'scenario' | 'rig';
  name: string;
  file: string;
  description: string;
  labels: string[];
  params?: Record<string, string[]>;
  /** Scenario: the rigs it runs on (its named rig, or every rig with all its labels); its case ids follow as `cases`. */
  rigs?: string[];
  /** Scenario with `hit: all` / `{ every }`: `cases` is its first point; the run goes on until no hit is left. */
  hitSweep?: { param: string; every: number; openEnded: true };
  /** Rig: out of service until `hil rig check` passes, and who holds it right now. */
  quarantined?: RigHealth;
  lease?: LeaseHolder;
  error?: string;
}

function* caseIds(cases: Iterable<CaseSpec>): Generator<string> {
  for (const c of cases) yield c.id;
}

/**
 * `--json`: one array, written an entry at a time and a scenario's case ids a chunk at a time (they are
 * generated, never held all at once), so a project of large sweeps lists in bounded memory.
 */
class JsonEntries {
  private first = true;

  async write(entry: Entry, caseIds?: Iterable<string>): Promise<void> {
    const json = JSON.stringify(entry);
    out(`${this.first ? '[' : ','}`);
    this.first = false;
    if (!caseIds) {
      out(json);
      return;
    }
    // `cases` goes last so that it can be streamed into the object as it is generated.
    let line = `${json.slice(0, -1)}${json === '{}' ? '' : ','}"cases":[`;
    let n = 0;
    for (const id of caseIds) {
      line += `${n++ ? ',' : ''}${JSON.stringify(id)}`;
      if (line.length > 64 * 1024) {
        await outPaced(line);
        line = '';
      }
    }
    out(`${line}]}`);
  }

  end(): void {
    out(this.first ? '[]' : ']');
  }
}

/** `hil list`: scenarios and rigs, one line each with its description (`--json` for schedulers). */
export async function listCommand(opts: ListOptions): Promise<number> {
  const project = new Project();
  const color = useColor();
  const scenarios = project.list('scenarios');
  const rigFiles = project.list('rigs');
  const width = Math.max(...[...scenarios, ...rigFiles].map((e) => e.name.length), 4);
  const json = opts.json ? new JsonEntries() : undefined;
  const write = async (e: Entry, caseIds?: Iterable<string>) => {
    if (json) return json.write(e, caseIds);
    const text = e.error ? paint('red', `invalid: ${e.error.split('\n')[0]}`, color) : e.description.split('\n')[0];
    const labels = e.labels.length ? paint('gray', ` [${e.labels.join(', ')}]`, color) : '';
    out(`  ${e.name.padEnd(width)}  ${text}${labels}`);
  };

  const rigs = rigFiles.flatMap(({ name, file }) => {
    try {
      return [{ name, labels: loadRig(file).labels }];
    } catch {
      return [];
    }
  });
  if (!json) out(paint('bold', 'Scenarios', color));
  for (const { name, file } of scenarios) {
    try {
      const s = loadScenario(file);
      const runsOn = s.rigs.name ? [s.rigs.name] : rigs.filter((r) => hasLabels(r, s.rigs.labels)).map((r) => r.name);
      // A hit sweep's cases are found as it runs: `cases` holds its first point, `hitSweep` says how it goes on.
      const hitSweep = s.hitSweep ? { hitSweep: { ...s.hitSweep, openEnded: true as const } } : {};
      await write(
        { kind: 'scenario', name, file, description: s.description, labels: s.rigs.labels, params: s.params, rigs: runsOn, ...hitSweep },
        caseIds(generateCases(s.name, s.params)),
      );
    } catch (error) {
      await write({
        kind: 'scenario',
        name,
        file,
        description: '',
        labels: [],
        error: error instanceof ConfigError ? error.message : String(error),
      });
    }
  }
  if (!json) out(paint('bold', 'Rigs', color));
  for (const { name, file } of rigFiles) {
    try {
      const r = loadRig(file);
      const quarantined = new Quarantine(project.root).quarantined(r.name);
      const lease = readLease(leaseDir(project.root), r.name);
      await write({
        kind: 'rig',
        name,
        file,
        description: r.description,
        labels: r.labels,
        ...(quarantined ? { quarantined } : {}),
        ...(lease ? { lease } : {}),
      });
    } catch (error) {
      await write({
        kind: 'rig',
        name,
        file,
        description: '',
        labels: [],
        error: error instanceof ConfigError ? error.message : String(error),
      });
    }
  }
  json?.end();
  return 0;
}
