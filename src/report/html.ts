import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import type { CaseResult } from './CaseResult.js';
import type { RunResult } from './RunResult.js';
import { renderModel } from './htmlModel.js';
import { escapeHtml, hrefPath } from './htmlText.js';
import { FLASH_AT_CUT } from '../steps/flashAtCut.js';
import { renderTimeline } from './htmlTimeline.js';
import type { TimelineEvent } from '../core/Timeline.js';
import { readTimeline } from './htmlTimelineData.js';
import { HTML_PAGE_SCRIPT, HTML_ERROR_SCRIPT, HTML_STYLE } from './htmlAssets.js';
import { countStatuses } from './summary.js';
import { writeReportFile } from './writeReportFile.js';

/** Beyond this many console lines a case shows its tail; the whole console is one link away. */
const HTML_CONSOLE_MAX_LINES = 5000;

export interface HtmlReportOptions {
  /** Folder the page is written to: links to case files are relative to it, so the page opens from disk. */
  htmlDir: string;
  /** Absolute folder of a case's files (console.log, timeline.jsonl). */
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

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64');

/**
 * A static page (no external resources; opens from disk) for one run. Nothing the board printed is ever parsed
 * as markup: it is escaped here, the page's script only reads textContent, and the Content-Security-Policy lets
 * through no script but the page's own two (by hash), so even a slip in escaping would run nothing.
 */
export function renderHtmlReport(run: RunResult, options: HtmlReportOptions): string {
  const counts = countStatuses(run);
  const flaky = run.cases.filter((c) => c.properties['flaky'] === 'true').length;
  const ordered = reportOrder(run.cases);
  const csp = `default-src 'none'; style-src 'sha256-${sha256(HTML_STYLE)}'; script-src 'sha256-${sha256(HTML_ERROR_SCRIPT)}' 'sha256-${sha256(HTML_PAGE_SCRIPT)}'; img-src data:`;
  const title = options.title ?? `hil run ${run.runId}`;
  const summary = `${counts.passed} passed, ${counts.failed} failed, ${counts.errors} errors${counts.skipped ? `, ${counts.skipped} skipped` : ''}${flaky ? `, ${flaky} flaky` : ''}`;
  const rows = ordered
    .map(
      (c, i) =>
        `<tr class="status-${c.status}"><td>${badge(c)}</td><td><a href="#case-${i}">${escapeHtml(c.id)}</a></td><td>${escapeHtml(c.rig)}</td><td>${(c.durationMs / 1000).toFixed(1)}s</td><td>${escapeHtml(c.message ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${HTML_STYLE}</style>
<script>${HTML_ERROR_SCRIPT}</script>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="summary">${escapeHtml(summary)}${run.interrupted ? ` — interrupted by ${escapeHtml(run.interrupted)}` : ''}${run.unfinished ? ' — unfinished: the run was stopped before its end' : ''} · started ${escapeHtml(run.startedAt)} · ${(run.durationMs / 1000).toFixed(1)}s</p>
</header>
<table class="cases"><thead><tr><th>result</th><th>case</th><th>rig</th><th>time</th><th>message</th></tr></thead><tbody>
${rows}
</tbody></table>
${ordered.map((c, i) => renderCase(c, i, options)).join('\n')}
<pre id="page-errors" hidden></pre>
<script>${HTML_PAGE_SCRIPT}</script>
</body>
</html>
`;
}

function badge(c: CaseResult): string {
  const word = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', skipped: 'SKIP' }[c.status];
  const flaky = c.properties['flaky'] === 'true' ? ' <span class="badge flaky">FLAKY</span>' : '';
  return `<span class="badge ${c.status}">${word}</span>${flaky}`;
}

/** The state the case ended in when it failed: the target of the model's last transition. */
function failedState(c: CaseResult, events: TimelineEvent[]): string | undefined {
  if (c.status !== 'fail') return undefined;
  const last = events.filter((e) => e.type === 'model').at(-1);
  return typeof last?.to === 'string' ? last.to : undefined;
}

function renderCase(c: CaseResult, i: number, options: HtmlReportOptions): string {
  const dir = c.dir ? options.caseDir(c) : undefined;
  const events = dir ? readTimeline(join(dir, 'timeline.jsonl')) : [];
  const link = (file: string) => (dir ? `<a href="${escapeHtml(hrefPath(relative(options.htmlDir, join(dir, file))))}">${file}</a>` : '');
  let lines = events.filter((e) => e.type === 'line').map((e) => ({ t: e.t, text: String(e.text ?? '') }));
  if (!lines.length && c.consoleText) lines = c.consoleText.split('\n').map((text) => ({ t: Number.NaN, text }));
  const omitted = Math.max(0, lines.length - HTML_CONSOLE_MAX_LINES);
  const shown = lines.slice(omitted);
  const properties = Object.entries(c.properties)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  return `<section class="case status-${c.status}" id="case-${i}" data-case="${escapeHtml(c.id)}">
<h2>${badge(c)} ${escapeHtml(c.id)}</h2>
<p>rig ${escapeHtml(c.rig)} · started ${escapeHtml(c.startedAt)} · ${(c.durationMs / 1000).toFixed(1)}s</p>
${c.message ? `<p class="message">${escapeHtml(c.message)}</p>` : ''}
${c.detail ? `<pre class="detail">${escapeHtml(c.detail)}</pre>` : ''}
${c.properties[FLASH_AT_CUT] ? `<p class="flash-at-cut">flash at the cut: ${c.properties[FLASH_AT_CUT].split(' ').map(link).join(' ')}</p>` : ''}
<details><summary>properties</summary><table class="props">${properties}</table></details>
<h3>timeline</h3>
${renderTimeline(events)}
<h3>model</h3>
${renderModel(c.coverage, failedState(c, events))}
<h3>console</h3>
<p class="console-tools"><input type="search" class="console-search" placeholder="search the console" aria-label="search the console of ${escapeHtml(c.id)}"> <span class="console-count"></span> ${link('console.log')} ${link('console.raw')} ${link('timeline.jsonl')}</p>
${omitted ? `<p class="muted">${omitted} earlier lines not shown: see console.log</p>` : ''}
<ol class="console">${shown.map((l) => `<li>${Number.isNaN(l.t) ? '' : `<span class="t">${(l.t / 1000).toFixed(3)}</span>`}${escapeHtml(l.text)}</li>`).join('')}</ol>
</section>`;
}

/** Writes reports/<run>/index.html and reports/index.html (the latest run, next to reports/junit.xml). */
export function writeHtmlReport(run: RunResult, reportDir: string): void {
  for (const htmlDir of new Set([run.dir, reportDir])) {
    writeReportFile(join(htmlDir, 'index.html'), renderHtmlReport(run, { htmlDir, caseDir: (c) => join(run.dir, c.dir) }));
  }
}
