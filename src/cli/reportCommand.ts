import { join, relative } from 'node:path';
import { checkOutputDir } from '../core/outputDir.js';
import { ConfigError } from '../core/errors.js';
import { writeHtmlReport } from '../report/html.js';
import { writeJsonReport } from '../report/json.js';
import { writeJunit } from '../report/junit.js';
import { findResults, mergeRuns, readRun } from '../report/merge.js';
import { summaryLine } from '../report/summary.js';
import { exitCodeForRun } from './exitCodes.js';
import { out } from './output.js';
import type { ReportMergeOptions } from './commandLine.js';

/**
 * `hil report merge DIR... --out DIR`: the nightly's one report from every runner's reports/ (junit.xml,
 * results.json, index.html); exits as `hil run` would have for all those cases together (exitCodeForRun): no
 * signal reached the merge, so a merged run that was interrupted counts as one that did not finish.
 */
export function reportMergeCommand(dirs: string[], opts: ReportMergeOptions): number {
  checkOutputDir(opts.out, { file: 'command line', field: '--out' }, 'reports');
  const files = [...new Set(dirs.flatMap((d) => findResults(d)))];
  if (!files.length) throw new ConfigError({ file: dirs.join(' '), message: 'no results.json found in or under these folders' });
  const merged = mergeRuns(files.map(readRun), opts.out);
  writeJunit(merged, join(merged.dir, 'junit.xml'));
  writeJsonReport(merged, join(merged.dir, 'results.json'));
  writeHtmlReport(merged, merged.dir);
  out(`merged ${files.length} run${files.length === 1 ? '' : 's'}: ${files.map((f) => relative(process.cwd(), f)).join(', ')}`);
  out(summaryLine(merged));
  out(`report: ${relative(process.cwd(), merged.dir) || '.'}/ (index.html, junit.xml, results.json)`);
  return exitCodeForRun(merged);
}
