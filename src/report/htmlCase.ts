import { join, relative } from 'node:path';
import type { CaseResult } from './CaseResult.js';
import type { TimelineEvent } from '../core/Timeline.js';
import { caseMarks, renderModel } from './htmlModel.js';
import { consoleLineHtml, escapeHtml, hrefPath } from './htmlText.js';
import { cutTimes, ms, renderTimeline } from './htmlTimeline.js';
import { readTimeline } from './htmlTimelineData.js';
import { HTML_CASE_SCRIPT } from './htmlAssets.js';
import { htmlPage } from './htmlPage.js';
import { renderImages } from './htmlImages.js';
import { FLASH_AT_CUT } from '../steps/flashAtCut.js';

/** Beyond this many console lines a case shows its tail; the whole console is one link away. */
const HTML_CONSOLE_MAX_LINES = 5000;

/** The page of one case, in its own folder next to console.log: the run's index links to it. */
export const CASE_PAGE = 'case.html';

export function badge(c: CaseResult): string {
  const word = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', skipped: 'SKIP' }[c.status];
  const flaky = c.properties['flaky'] === 'true' ? ' <span class="badge flaky">FLAKY</span>' : '';
  return `<span class="badge ${c.status}">${word}</span>${flaky}`;
}

/** The state the model was in when the case ended: the target of its last transition. */
function endedIn(events: readonly TimelineEvent[]): string | undefined {
  const last = events.filter((e) => e.type === 'model').at(-1);
  return last?.type === 'model' && typeof last.to === 'string' ? last.to : undefined;
}

interface ConsoleEntry {
  t: number;
  html: string;
}

/** Console lines with the power cuts (and the power coming back) between them, where they happened. */
function consoleListing(c: CaseResult, events: readonly TimelineEvent[]): { entries: ConsoleEntry[]; omitted: number } {
  let lines: ConsoleEntry[] = events.flatMap((e) =>
    e.type === 'line'
      ? [{ t: e.t, html: `<li><span class="t">${(e.t / 1000).toFixed(3)}</span>${consoleLineHtml(String(e.text ?? ''))}</li>` }]
      : [],
  );
  if (!lines.length && c.consoleText)
    lines = c.consoleText.split('\n').map((text) => ({ t: Number.NaN, html: `<li>${consoleLineHtml(text)}</li>` }));
  const omitted = Math.max(0, lines.length - HTML_CONSOLE_MAX_LINES);
  const shown = lines.slice(omitted);
  const from = shown[0]?.t ?? 0;
  const marks: ConsoleEntry[] = [
    ...cutTimes(events).map((cut) => ({
      t: cut.t,
      html: `<li class="cut-mark" data-t="${cut.t}"><span class="t">${(cut.t / 1000).toFixed(3)}</span>✂ power cut at ${ms(cut.t)} in state ${escapeHtml(cut.state)} (${escapeHtml(cut.anchor)})</li>`,
    })),
    ...events.flatMap((e) =>
      e.type === 'power' && e.state === 'on'
        ? [{ t: e.t, html: `<li class="power-mark"><span class="t">${(e.t / 1000).toFixed(3)}</span>⏻ power on</li>` }]
        : [],
    ),
  ].filter((m) => !(m.t < from));
  if (shown.some((l) => Number.isNaN(l.t))) return { entries: shown, omitted };
  // Stable: a mark at the same time as a line comes after it (the board printed it before the cut).
  const entries = [...shown, ...marks].map((e, i) => ({ e, i })).sort((a, b) => a.e.t - b.e.t || a.i - b.i);
  return { entries: entries.map(({ e }) => e), omitted };
}

export interface CasePageOptions {
  /** The case's folder: its page is written there, and links are relative to it. */
  caseDir: string;
  /** The run's index page, for the link back. */
  index: string;
  runTitle: string;
}

/** `hil debug 'id' --image NAME=PATH`: the case replayed to just before its cut, with the images the run put in place. */
function debugCommand(c: CaseResult): string {
  const images = Object.entries(c.properties)
    .filter(([key, value]) => key.endsWith('.overridden') && value === '--image')
    .map(([key]) => key.slice('image.'.length, -'.overridden'.length))
    .map((name) => ` --image ${name}=${c.properties[`image.${name}.path`] ?? ''}`);
  return `hil debug '${c.id}'${images.join('')}`;
}

/** One case: what failed, the images flashed, its timeline, the model as it went, its console. */
export function renderCasePage(c: CaseResult, options: CasePageOptions): string {
  const events = readTimeline(join(options.caseDir, 'timeline.jsonl'));
  const link = (file: string) => `<a href="${escapeHtml(hrefPath(file))}">${escapeHtml(file)}</a>`;
  const { entries, omitted } = consoleListing(c, events);
  const properties = Object.entries(c.properties)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  const cuts = (c.cuts ?? []).map((cut) => cut.state);
  const marks = c.coverage
    ? caseMarks(c.coverage, cuts.length ? cuts : cutTimes(events).map((cut) => cut.state), endedIn(events))
    : undefined;
  const back = hrefPath(relative(options.caseDir, options.index));
  const body = `<header>
<p class="crumbs"><a href="${escapeHtml(back)}">← ${escapeHtml(options.runTitle)}</a></p>
<h1>${badge(c)} ${escapeHtml(c.id)}</h1>
<p>rig ${escapeHtml(c.rigInstance ?? c.rig)} · started ${escapeHtml(c.startedAt)} · ${(c.durationMs / 1000).toFixed(1)}s${c.cuts?.length ? ` · ${c.cuts.length === 1 ? 'cut' : `${c.cuts.length} cuts`} in ${escapeHtml(cuts.join(', '))}` : ''}</p>
${c.message ? `<p class="message">${escapeHtml(c.message)}</p>` : ''}
${renderImages(c.properties)}
</header>
<section class="case status-${c.status}" data-case="${escapeHtml(c.id)}">
${c.detail ? `<pre class="detail">${escapeHtml(c.detail)}</pre>` : ''}
${c.properties[FLASH_AT_CUT] ? `<p class="flash-at-cut">flash at the cut: ${c.properties[FLASH_AT_CUT].split(' ').map(link).join(' ')} · to just before it, halted for gdb: <code>${escapeHtml(debugCommand(c))}</code></p>` : ''}
<h3>timeline</h3>
${renderTimeline(events)}
<h3>model</h3>
${renderModel(c.coverage, marks)}
<h3>console</h3>
<p class="console-tools"><input type="search" class="console-search" placeholder="search the console" aria-label="search the console of ${escapeHtml(c.id)}"> <span class="console-count"></span> ${link('console.log')} ${link('console.raw')} ${link('timeline.jsonl')} ${link('result.json')}</p>
${omitted ? `<p class="muted">${omitted} earlier lines not shown: see console.log</p>` : ''}
<ol class="console">${entries.map((e) => e.html).join('')}</ol>
<details><summary>properties</summary><table class="props">${properties}</table></details>
</section>`;
  return htmlPage(`${c.id} — ${options.runTitle}`, body, HTML_CASE_SCRIPT);
}
