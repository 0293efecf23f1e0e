import { join, relative } from 'node:path';
import type { CaseResult } from './CaseResult.js';
import type { RunResult } from './RunResult.js';
import { caseMarks, renderModel, sumMarks } from './htmlModel.js';
import { escapeHtml, hrefPath } from './htmlText.js';
import { HTML_INDEX_SCRIPT } from './htmlAssets.js';
import { badge, CASE_PAGE, renderCasePage } from './htmlCase.js';
import { htmlPage } from './htmlPage.js';
import { renderSweeps } from './htmlSweep.js';
import { countStatuses } from './summary.js';
import { FLASH_AT_CUT } from '../steps/flashAtCut.js';
import { writeReportFile, writeReportFileAsync } from './writeReportFile.js';

export interface HtmlReportOptions {
  /** Folder the page is written to: links to case files are relative to it, so the page opens from disk. */
  htmlDir: string;
  /** Absolute folder of a case's files (console.log, timeline.jsonl, case.html). */
  caseDir(c: CaseResult): string;
  title?: string;
}

const ORDER: Record<CaseResult['status'], number> = { fail: 0, error: 1, skipped: 3, pass: 4 };
const rank = (c: CaseResult) => (c.status === 'pass' && c.properties['flaky'] === 'true' ? 2 : ORDER[c.status]);

/** Failing cases first, then rig errors, flaky passes, skipped, passes; run order within each. */
export function reportOrder(cases: CaseResult[]): CaseResult[] {
  return cases
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
    .map(({ c }) => c);
}

const runTitle = (run: Pick<RunResult, 'runId'>) => `hil run ${run.runId}`;

/**
 * The run's index: the summary, each scenario's sweep (outcome by parameter) and model (what the cases visited,
 * where they were cut, which fail states they reached), and one row per case linking to the case's own page.
 * The details of a case live on its page, so the index of a 500-case sweep stays small.
 */
export function renderHtmlReport(run: RunResult, options: HtmlReportOptions): string {
  const counts = countStatuses(run);
  const flaky = run.cases.filter((c) => c.properties['flaky'] === 'true').length;
  const ordered = reportOrder(run.cases);
  const title = options.title ?? runTitle(run);
  const summary = `${counts.passed} passed, ${counts.failed} failed, ${counts.errors} errors${counts.skipped ? `, ${counts.skipped} skipped` : ''}${flaky ? `, ${flaky} flaky` : ''}`;
  const href = (c: CaseResult) => (c.dir ? hrefPath(relative(options.htmlDir, join(options.caseDir(c), CASE_PAGE))) : undefined);
  const rows = ordered
    .map((c) => {
      const link = href(c);
      const name = link ? `<a href="${escapeHtml(link)}">${escapeHtml(c.id)}</a>` : escapeHtml(c.id);
      const cuts = (c.cuts ?? []).map((cut) => cut.state).join(', ');
      // The flash as a cut left it: what a person opens next after the message, one click from the index.
      const flash = (c.properties[FLASH_AT_CUT] ?? '')
        .split(' ')
        .filter(Boolean)
        .map((f) => `<a href="${escapeHtml(hrefPath(relative(options.htmlDir, join(options.caseDir(c), f))))}">${escapeHtml(f)}</a>`);
      return `<tr class="status-${c.status}" data-case="${escapeHtml(c.id)}"><td>${badge(c)}</td><td>${name}</td><td>${escapeHtml(c.rigInstance ?? c.rig)}</td><td>${(c.durationMs / 1000).toFixed(1)}s</td><td>${escapeHtml(cuts)}</td><td>${escapeHtml(c.message ?? '')}${flash.length ? ` <span class="flash-at-cut">flash at the cut: ${flash.join(' ')}</span>` : ''}</td></tr>`;
    })
    .join('\n');
  const body = `<header>
<h1>${escapeHtml(title)}</h1>
<p class="summary">${escapeHtml(summary)}${run.interrupted ? ` — interrupted by ${escapeHtml(run.interrupted)}` : ''}${run.unfinished ? ' — unfinished: the run was stopped before its end' : ''} · started ${escapeHtml(run.startedAt)} · ${(run.durationMs / 1000).toFixed(1)}s</p>
</header>
${renderSweeps(run.cases, href)}
${renderScenarioModels(run.cases)}
<h2>cases</h2>
<table class="cases"><thead><tr><th>result</th><th>case</th><th>rig</th><th>time</th><th>cut in</th><th>message</th></tr></thead><tbody>
${rows}
</tbody></table>`;
  return htmlPage(title, body, HTML_INDEX_SCRIPT);
}

/** Per scenario, its model with what all its cases did: states visited, cuts per state, fail states reached. */
function renderScenarioModels(cases: readonly CaseResult[]): string {
  return [...new Set(cases.map((c) => c.scenario))]
    .map((scenario) => {
      const own = cases.filter((c) => c.scenario === scenario && c.coverage);
      const model = own[0]?.coverage;
      if (!model) return '';
      const marks = sumMarks(
        own.map((c) =>
          caseMarks(
            c.coverage!,
            (c.cuts ?? []).map((cut) => cut.state),
            undefined,
          ),
        ),
        model.transitions.length,
      );
      return `<details class="scenario-model" open><summary>${escapeHtml(scenario)}: model over ${own.length} case${own.length === 1 ? '' : 's'}</summary>${renderModel(model, marks, true)}</details>`;
    })
    .join('\n');
}

/**
 * Writes each case's page (case.html in its folder) but those in `written`, then reports/<run>/index.html and
 * reports/index.html (the latest run, next to reports/junit.xml).
 */
export function writeHtmlReport(run: RunResult, reportDir: string, written: ReadonlySet<CaseResult> = new Set()): void {
  const caseDir = (c: CaseResult) => join(run.dir, c.dir);
  for (const c of run.cases) {
    if (c.dir && !written.has(c)) writeReportFile(join(caseDir(c), CASE_PAGE), casePage(run, c));
  }
  for (const htmlDir of new Set([run.dir, reportDir])) {
    writeReportFile(join(htmlDir, 'index.html'), renderHtmlReport(run, { htmlDir, caseDir }));
  }
}

/**
 * The page of a case with a folder, written as the case ends (off the event loop) so a long run's end does not
 * render hundreds of them (1.2 s at 555 cases); writeHtmlReport then leaves it as it is.
 */
export async function writeCasePage(run: Pick<RunResult, 'runId' | 'dir'>, c: CaseResult): Promise<void> {
  await writeReportFileAsync(join(run.dir, c.dir, CASE_PAGE), [Buffer.from(casePage(run, c))]);
}

function casePage(run: Pick<RunResult, 'runId' | 'dir'>, c: CaseResult): string {
  const caseDir = join(run.dir, c.dir);
  return renderCasePage(c, { caseDir, index: join(run.dir, 'index.html'), runTitle: runTitle(run) });
}
