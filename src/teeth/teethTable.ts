import type { VariantResult } from './measureTeeth.js';

/** Compiler output lines shown under the table for a mutant that did not build. */
const TAIL_SHOWN = 8;

/**
 * The table a team reads its suite's score from: one row per build (the good one first), the verdict and the
 * cases that failed on it; then the output of builds that failed; then `caught K of N variants`, where N
 * counts the mutants that built and ran.
 */
export function teethTable(variants: VariantResult[], total: number): string[] {
  const rows = variants.map((v) => [
    v.name,
    v.verdict === 'caught' || v.verdict === 'passes' ? v.verdict : v.verdict.toUpperCase(),
    v.caughtBy.join(', ') || (v.why ?? ''),
  ]);
  const header = ['variant', 'verdict', 'caught by'];
  const widths = [0, 1].map((i) => Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const lines = [line(header), ...rows.map(line)];
  for (const v of variants.filter((v) => v.verdict === 'build failed' && v.tail)) {
    lines.push(
      '',
      `${v.name}: build failed (${v.why}); the build's last lines:`,
      ...v
        .tail!.split('\n')
        .slice(-TAIL_SHOWN)
        .map((l) => `  ${l}`),
    );
  }
  const mutants = variants.filter((v) => v.name !== 'good');
  const ran = mutants.filter((v) => v.verdict === 'caught' || v.verdict === 'missed');
  const caught = ran.filter((v) => v.verdict === 'caught').length;
  const notBuilt = mutants.filter((v) => v.verdict === 'build failed').length;
  const notRun = total - ran.length - notBuilt;
  const notes = [notBuilt ? `${notBuilt} did not build` : '', notRun ? `${notRun} not run` : ''].filter(Boolean);
  lines.push('', `caught ${caught} of ${ran.length} variants${notes.length ? ` (${notes.join(', ')})` : ''}`);
  return lines;
}
