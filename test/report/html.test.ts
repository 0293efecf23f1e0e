import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderHtmlReport, reportOrder, writeHtmlReport } from '../../src/report/html.js';
import type { CaseResult } from '../../src/report/CaseResult.js';
import type { RunResult } from '../../src/report/RunResult.js';

/**
 * The HTML report in a real browser (Debian's chromium, headless): it opens from disk, shows the failing case
 * first, a board printing markup shows that markup as text and runs nothing, and the page logs no errors (the
 * page writes every error it sees into #page-errors, read back from --dump-dom).
 */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror="document.body.dataset.pwned=1">', 'a & b "quoted" \u0007bell'];

let root: string;
let run: RunResult;

function caseResult(id: string, status: CaseResult['status'], extra: Partial<CaseResult> = {}): CaseResult {
  return {
    id,
    scenario: 'demo',
    rig: 'virtual',
    params: {},
    status,
    startedAt: '2026-11-24T10:00:00.000Z',
    durationMs: 3000,
    properties: { rig: 'virtual' },
    dir: id,
    consoleText: '',
    ...extra,
  };
}

function writeTimeline(dir: string, lines: string[], failTo?: string): void {
  mkdirSync(dir, { recursive: true });
  const events = [
    { t: 1, type: 'model', from: null, event: 'start', to: 'off' },
    { t: 10, type: 'step', index: 0, key: 'power', description: 'power on', phase: 'start' },
    { t: 20, type: 'power', state: 'on', cause: 'step' },
    { t: 21, type: 'model', from: 'off', event: 'POWER_ON', to: 'booting' },
    ...lines.map((text, i) => ({ t: 100 + i * 10, type: 'line', text })),
    { t: 400, type: 'model', from: 'booting', event: 'BANNER', to: 'bootloader' },
    { t: 900, type: 'cut', issuedAt: 900, state: 'bootloader' },
    { t: 901, type: 'power', state: 'off', cause: 'cut' },
    { t: 902, type: 'model', from: 'bootloader', event: 'POWER_OFF', to: 'off' },
    ...(failTo ? [{ t: 2500, type: 'model', from: 'off', event: 'after 2s', to: failTo }] : []),
  ];
  writeFileSync(join(dir, 'timeline.jsonl'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n{"t":3000,"type":"li`);
  writeFileSync(join(dir, 'console.log'), lines.join('\n'));
}

const coverage = {
  states: ['off', 'booting', 'bootloader', 'app'],
  visited: ['off', 'booting', 'bootloader'],
  transitions: [
    { from: 'off', event: 'POWER_ON', to: 'booting', count: 1 },
    { from: 'booting', event: 'BANNER', to: 'bootloader', count: 1 },
    { from: 'booting', event: 'after 2s', to: 'fail.no-banner', count: 0 },
    { from: 'bootloader', event: 'APP', to: 'app', count: 0 },
    { from: '*', event: 'POWER_OFF', to: 'off', count: 1 },
  ],
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'hil-html-'));
  const runDir = join(root, 'reports', 'run-1');
  writeTimeline(join(runDir, 'demo[a=1]'), ['MCUboot Bootloader Started', 'Factory app v1.0.0 running']);
  writeTimeline(join(runDir, 'demo[a=2]'), ['MCUboot Bootloader Started', ...HOSTILE], 'fail.no-banner');
  run = {
    runId: 'run-1',
    startedAt: '2026-11-24T10:00:00.000Z',
    durationMs: 9000,
    dir: runDir,
    cases: [
      caseResult('demo[a=1]', 'pass', { coverage }),
      caseResult('demo[a=2]', 'fail', {
        message: 'model failed in state off: <no banner>',
        detail: 'last console lines:\n  <script>alert(1)</script>',
        coverage,
      }),
      caseResult('demo[a=3]', 'skipped', { dir: '', message: 'not run' }),
    ],
  };
  writeHtmlReport(run, join(root, 'reports'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function dumpDom(file: string): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'hil-chromium-'));
  const child = execa(
    CHROMIUM!,
    ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`, '--dump-dom', `file://${file}`],
    { reject: false, detached: true, timeout: 45_000 },
  );
  try {
    const result = await child;
    expect(result.stdout).toContain('</html>');
    return result.stdout;
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL'); // chromium's helper processes, should any outlive the browser
    } catch {
      // All gone already.
    }
    rmSync(profile, { recursive: true, force: true });
  }
}

describe('HTML report', () => {
  it('orders failing cases first, then errors, flaky passes, skipped, passes', () => {
    const flaky = caseResult('f', 'pass', { properties: { flaky: 'true' } });
    const order = reportOrder([
      caseResult('p', 'pass'),
      caseResult('s', 'skipped'),
      flaky,
      caseResult('e', 'error'),
      caseResult('x', 'fail'),
    ]);
    expect(order.map((c) => c.id)).toEqual(['x', 'e', 'f', 's', 'p']);
  });

  it('escapes everything a board printed and links the case files relative to the page', () => {
    const html = readFileSync(join(run.dir, 'index.html'), 'utf8');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.match(/<script>/g)).toHaveLength(2);
    expect(html).toContain('href="demo%5Ba%3D2%5D/console.log"');
    expect(readFileSync(join(root, 'reports', 'index.html'), 'utf8')).toContain('href="run-1/demo%5Ba%3D2%5D/console.raw"');
    expect(renderHtmlReport(run, { htmlDir: run.dir, caseDir: (c) => join(run.dir, c.dir) })).not.toMatch(/https?:\/\//);
  });

  (CHROMIUM ? it : it.skip)(
    'reports/index.html opens in headless Chromium: failing case first, board markup inert, no page errors',
    async () => {
      const dom = await dumpDom(join(root, 'reports', 'index.html'));
      expect(dom).toMatch(/<body[^>]*data-ready="true"/);
      expect(dom).toMatch(/<pre id="page-errors" hidden="">\[\]<\/pre>/);
      const sections = [...dom.matchAll(/<section class="case status-(\w+)" id="case-\d+" data-case="([^"]+)"/g)].map((m) => [m[1], m[2]]);
      expect(sections).toEqual([
        ['fail', 'demo[a=2]'],
        ['skipped', 'demo[a=3]'],
        ['pass', 'demo[a=1]'],
      ]);
      expect(dom).toContain('<li><span class="t">0.110</span>&lt;script&gt;alert(1)&lt;/script&gt;</li>');
      expect(dom).toContain('&lt;img src=x onerror="document.body.dataset.pwned=1"&gt;');
      expect(dom).not.toMatch(/data-pwned/);
      expect(dom.match(/<script>/g)).toHaveLength(2);
      // The model: visited states filled, the state the case failed in marked; the console search counted its lines.
      expect(dom).toMatch(/<g class="state visited" data-state="bootloader">/);
      expect(dom).toMatch(/<g class="state fail-state failed-in" data-state="fail.no-banner">/);
      expect(dom).toMatch(/<span class="console-count">4 lines<\/span>/);
      expect(dom).toMatch(/<line class="cut"/);
    },
    60_000,
  );
});
