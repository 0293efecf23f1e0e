import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunResult } from '../run/CaseResult.js';

/** `results.json`: the whole run, for tools and for merging runs from several rig runners. */
export function writeJsonReport(run: RunResult, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
}
