import { relative, resolve } from 'node:path';
import { checkOutputDir } from '../core/outputDir.js';
import { ConfigError, Interrupted } from '../core/errors.js';
import { Project } from '../config/Project.js';
import { writableStateRoot } from '../core/stateRoot.js';
import { measureTeeth } from '../teeth/measureTeeth.js';
import { loadTeethFile } from '../teeth/TeethFile.js';
import { teethTable } from '../teeth/teethTable.js';
import { EXIT, outcome } from '../core/outcome.js';
import type { TeethOptions } from './commandLine.js';
import { err, out } from './output.js';
import { untilInterrupted } from './untilInterrupted.js';

/**
 * `hil teeth [file]`: builds the firmware and each mutant of a teeth file and runs the scenarios against each.
 * Exit 0 when the good build passes every scenario and every mutant that built was caught, 1 when one was missed
 * or the good build fails a scenario, 2 for a bad teeth file, a patch that does not apply or a good build that
 * does not build, 3 for a rig error.
 */
export async function teethCommand(file: string, opts: TeethOptions): Promise<number> {
  const wait = Number(opts.wait ?? process.env['HIL_WAIT'] ?? 0);
  if (!Number.isInteger(wait) || wait < 0)
    throw new ConfigError({
      file: 'command line',
      field: '--wait',
      message: `expected a whole number >= 0, got ${JSON.stringify(opts.wait)}`,
    });
  const spec = loadTeethFile(file);
  // Checked now, not after the first build: the builds go under the state root, the runs' reports under --report-dir.
  checkOutputDir(opts.reportDir, { file: 'command line', field: '--report-dir' }, 'reports');
  const stateDir = writableStateRoot(new Project().root);
  const quarantineAfter = Number(process.env['HIL_QUARANTINE_AFTER'] ?? 3);

  const result = await untilInterrupted((signal) =>
    measureTeeth(spec, {
      reportDir: opts.reportDir,
      stateDir,
      all: opts.all,
      waitMs: wait * 1000,
      quarantineAfter: Number.isInteger(quarantineAfter) ? quarantineAfter : 3,
      signal,
      log: (line) => err(line),
    }),
  );
  const good = result.variants[0];
  if (good?.verdict === 'build failed') {
    throw new ConfigError({
      ...spec.build.commandAt,
      message: `the unmutated build fails (${good.why}); its last lines:\n${(good.tail ?? '')
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n')}`,
    });
  }
  out();
  for (const line of teethTable(result.variants, spec.mutants.length)) out(line);
  const reports = relative(process.cwd(), resolve(opts.reportDir));
  out(`reports: ${reports.startsWith('..') ? resolve(opts.reportDir) : reports || '.'}/<variant>/`);
  if (result.interrupted) err(`interrupted by ${result.interrupted}: the variants after the last one shown were not run`);

  if (result.interrupted) return outcome(new Interrupted(result.interrupted)).exitCode;
  if (result.variants.some((v) => v.verdict === 'rig error')) return EXIT.rig;
  if (result.variants.some((v) => v.verdict === 'missed' || v.verdict === 'fails')) return EXIT.failed;
  return EXIT.ok;
}
