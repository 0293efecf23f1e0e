import type { Project } from '../config/Project.js';
import { loadRig, type RigSpec } from './RigSpec.js';

/** A scenario that names no rig runs on a rig with every label it asks for (`rigs.labels`). */
export function hasLabels(rig: { labels: readonly string[] }, wanted: readonly string[]): boolean {
  return wanted.every((label) => rig.labels.includes(label));
}

/**
 * The project's rigs with every wanted label, in file order, each loaded only when the one before was not
 * enough. A rig file that does not load matches nothing: `hil validate` is where it is reported.
 */
export function* matchingRigs(project: Project, wanted: readonly string[], load: (file: string) => RigSpec = loadRig): Generator<RigSpec> {
  for (const { file } of project.list('rigs')) {
    let rig: RigSpec;
    try {
      rig = load(file);
    } catch {
      continue;
    }
    if (hasLabels(rig, wanted)) yield rig;
  }
}
