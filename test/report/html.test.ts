import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { renderHtmlReport, reportOrder, writeHtmlReport } from '../../src/report/html.js';
import type { CaseResult } from '../../src/report/CaseResult.js';
import type { RunResult } from '../../src/report/RunResult.js';
import { escapeHtml } from '../../src/report/htmlText.js';
import { CHROMIUM, launchChromium, load, openPage } from '../helpers/browser.js';

/**
 * The HTML report in a real browser (Debian's chromium, headless, driven by playwright-core): a sweep of ten
 * cases over a model with nested states and fail states, one case failing into a fail state, one failing a
 * check while its model sat in a success state, and a board printing markup.
 */
const HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror="document.body.dataset.pwned=1">', 'a & b "quoted" \u0007bell'];
/** U-Boot's countdown (backspaces), a redraw's `\r`, and a line of dots with nowhere to wrap. */
const CONTROL = ['Hit any key to stop autoboot:  2 \b\b\b 0 ', '[BOOT] [  ]\r[BOOT] [+ ]', '.'.repeat(600)];
const CUTS = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

let root: string;
let run: RunResult;
let browser: Browser | undefined;

const coverage = (taken: Record<string, number>) => ({
  states: ['off', 'booting', 'bootloader', 'bootloader.primary-invalid', 'bootloader.primary-valid', 'copying', 'app-running'],
  visited: ['off', 'booting', 'bootloader', 'bootloader.primary-invalid', 'copying', ...(taken['app'] ? ['app-running'] : [])],
  cuttable: ['copying'],
  transitions: [
    { from: 'off', event: 'POWER_ON', to: 'booting', count: 1 },
    { from: 'booting', event: 'BANNER', to: 'bootloader', count: 1 },
    { from: 'booting', event: 'after 2s', to: 'fail.no-banner', count: taken['no-banner'] ?? 0 },
    { from: 'bootloader.primary-invalid', event: 'NO_IMAGE', to: 'copying', count: 1 },
    { from: 'bootloader.primary-invalid', event: 'STARTING', to: 'fail.booted-invalid-slot', count: 0 },
    { from: 'bootloader.primary-valid', event: 'STARTING', to: 'app-running', count: 0 },
    { from: 'copying', event: 'COPYING', to: 'copying', count: 3 },
    { from: 'copying', event: 'DONE', to: 'app-running', count: taken['app'] ?? 0, when: 'version=1.0.0' },
    { from: 'copying', event: 'after 3s', to: 'fail.copy-stalled', count: 0 },
    { from: '*', event: 'POWER_OFF', to: 'off', count: 1 },
  ],
});

function caseResult(cutAfter: number, status: CaseResult['status'], extra: Partial<CaseResult> = {}): CaseResult {
  const id = `demo[cut_after=${cutAfter}ms]`;
  const state = cutAfter < 40 ? 'bootloader.primary-invalid' : 'copying';
  return {
    id,
    scenario: 'demo',
    rig: 'virtual',
    params: { cut_after: `${cutAfter}ms` },
    status,
    startedAt: '2026-11-24T10:00:00.000Z',
    durationMs: 3000,
    properties: {
      rig: 'virtual',
      'image.bootloader.sha256': 'ab'.repeat(32),
      'image.bootloader.path': '/work/build/bootloader-header-first.bin',
      'image.bootloader.overridden': '--image',
      'image.factory.sha256': 'cd'.repeat(32),
      'image.factory.path': '/work/build/factory.signed.bin',
      'image.factory.version': '1.0.0',
    },
    dir: id,
    consoleText: '',
    cuts: [{ atMs: 900, lateMs: 0.1, actuationMs: 2, state }],
    coverage: coverage({ app: status === 'pass' ? 1 : 0 }),
    ...extra,
  };
}

function writeCase(runDir: string, c: CaseResult, lines: string[], end: { to: string; at: number }): void {
  const dir = join(runDir, c.dir);
  mkdirSync(dir, { recursive: true });
  const events = [
    { t: 1, type: 'model', from: null, event: 'start', to: 'off' },
    { t: 10, type: 'step', index: 0, key: 'power', description: 'power on', phase: 'start' },
    { t: 20, type: 'power', state: 'on', cause: 'step' },
    { t: 21, type: 'model', from: 'off', event: 'POWER_ON', to: 'booting' },
    ...lines.map((text, i) => ({ t: 100 + i * 250, type: 'line', text })),
    { t: 400, type: 'model', from: 'booting', event: 'BANNER', to: 'bootloader.primary-invalid' },
    { t: 900, type: 'cut', issuedAt: 900, state: c.cuts![0]!.state, anchor: 'Copying', lateMs: 0.1, latencyMs: 2 },
    { t: 901, type: 'power', state: 'off', cause: 'cut' },
    { t: 902, type: 'model', from: 'copying', event: 'POWER_OFF', to: 'off' },
    { t: 1000, type: 'power', state: 'on', cause: 'step' },
    { t: end.at, type: 'model', from: 'off', event: 'after 2s', to: end.to },
    // A long wait at the end: the axis still spans the case, and zooming in shows the start.
    { t: 30_000, type: 'power', state: 'off', cause: 'case-end' },
  ];
  writeFileSync(join(dir, 'timeline.jsonl'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n{"t":3000,"type":"li`);
  writeFileSync(join(dir, 'console.log'), lines.join('\n'));
}

const BOOT = [
  'MCUboot Bootloader Started',
  'Primary slot: invalid',
  'Copying factory image 0%',
  'Copying factory image 40%',
  'MCUboot Bootloader Started',
];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hil-html-'));
  const runDir = join(root, 'reports', 'run-1');
  const cases = CUTS.map((ms) => {
    if (ms === 50) {
      const c = caseResult(ms, 'fail', { message: `model failed: <no banner> ${'.'.repeat(400)}`, coverage: coverage({ 'no-banner': 1 }) });
      c.properties['flash_at_cut'] = 'flash-at-cut.img';
      return c;
    }
    if (ms === 80)
      return caseResult(ms, 'fail', {
        message: 'timed out after 5s waiting for state off; model is in app-running',
        coverage: coverage({ app: 1 }),
      });
    return caseResult(ms, 'pass');
  });
  for (const c of cases) {
    const failing = c.status === 'fail' && c.message?.startsWith('model');
    writeCase(
      runDir,
      c,
      failing ? [...BOOT, ...HOSTILE, ...CONTROL] : BOOT,
      failing ? { to: 'fail.no-banner', at: 2500 } : { to: 'app-running', at: 1800 },
    );
  }
  run = {
    runId: 'run-1',
    startedAt: '2026-11-24T10:00:00.000Z',
    durationMs: 9000,
    dir: runDir,
    cases: [...cases, { ...caseResult(110, 'skipped', { dir: '', message: 'not run' }), params: {}, id: 'demo[other]' }],
  };
  writeHtmlReport(run, join(root, 'reports'));
  if (CHROMIUM) browser = await launchChromium();
}, 40_000);

afterAll(async () => {
  await browser?.close();
  rmSync(root, { recursive: true, force: true });
});

/** An SVG element in the page (the tests' TypeScript has no DOM types: they run in Node). */
interface Drawn {
  getBBox(): { x: number; y: number; width: number; height: number };
  textContent: string | null;
}

const casePage = (id: string) => join(run.dir, id, 'case.html');

describe('HTML report', () => {
  it('orders failing cases first, then errors, flaky passes, skipped, passes', () => {
    const flaky = caseResult(1, 'pass', { id: 'f', properties: { flaky: 'true' } });
    const order = reportOrder([
      caseResult(1, 'pass', { id: 'p' }),
      caseResult(1, 'skipped', { id: 's' }),
      flaky,
      caseResult(1, 'error', { id: 'e' }),
      caseResult(1, 'fail', { id: 'x' }),
    ]);
    expect(order.map((c) => c.id)).toEqual(['x', 'e', 'f', 's', 'p']);
  });

  it('escapes everything a board printed and links each case page and file relative to the page that links it', () => {
    const page = readFileSync(casePage('demo[cut_after=50ms]'), 'utf8');
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.match(/<script>/g)).toHaveLength(2);
    expect(page).toContain('href="console.log"');
    expect(page).toContain('href="../index.html"');
    const index = readFileSync(join(run.dir, 'index.html'), 'utf8');
    expect(index).toContain('href="demo%5Bcut_after%3D50ms%5D/case.html"');
    expect(index).toContain('href="demo%5Bcut_after%3D50ms%5D/flash-at-cut.img"');
    expect(page).toContain('href="flash-at-cut.img"');
    // With the command that replays it to just before the cut, the run's --image included.
    expect(page).toContain(
      `<code>${escapeHtml("hil debug 'demo[cut_after=50ms]' --image bootloader=/work/build/bootloader-header-first.bin")}</code>`,
    );
    expect(readFileSync(join(root, 'reports', 'index.html'), 'utf8')).toContain('href="run-1/demo%5Bcut_after%3D50ms%5D/case.html"');
    expect(renderHtmlReport(run, { htmlDir: run.dir, caseDir: (c) => join(run.dir, c.dir) })).not.toMatch(/https?:\/\//);
    // Control characters the board sent are shown as their pictures, marked, not as U+FFFD.
    const ctl = (c: string) => `<span class="ctl">${c}</span>`;
    expect(page).toContain(`Hit any key to stop autoboot:  2 ${ctl('␈').repeat(3)} 0 </li>`);
    expect(page).toContain(`[BOOT] [  ]${ctl('␍')}[BOOT] [+ ]</li>`);
    expect(page).toContain(`a &amp; b &quot;quoted&quot; ${ctl('␇')}bell`);
    expect(page).not.toContain('\ufffd');
    // The index holds no console: a case's details stay on its page.
    expect(index).not.toContain('Copying factory image');
  });

  (CHROMIUM ? it : it.skip)('the sweep has one point per case, each opening its case; the page logs no errors', async () => {
    const { page, errors } = await openPage(browser!);
    await load(page, join(root, 'reports', 'index.html'));
    const points = await page.$$eval('svg.sweep-plot .point', (els) => els.map((e) => e.getAttribute('data-case')));
    expect(points.sort()).toEqual(CUTS.map((ms) => `demo[cut_after=${ms}ms]`).sort());
    // Bands: the cuts before 40 ms landed in the bootloader, the rest in the copy.
    const bands = await page.$$eval('svg.sweep-plot rect.band', (els) => els.map((e) => e.getAttribute('data-state')));
    expect(bands).toEqual(['bootloader.primary-invalid', 'copying']);
    const table = await page.$$eval('table.sweep-table tbody tr', (rows) => rows.map((r) => r.textContent));
    expect(table).toHaveLength(CUTS.length);
    expect(table[4]).toBe('50ms010copying');
    await page.click('svg.sweep-plot .point[data-case="demo[cut_after=50ms]"]');
    await page.waitForSelector('body[data-ready="true"]');
    expect(decodeURIComponent(page.url())).toMatch(/run-1\/demo\[cut_after=50ms\]\/case\.html$/);
    expect(await page.textContent('h1')).toContain('demo[cut_after=50ms]');
    expect(errors).toEqual([]);
    expect(await page.evaluate(() => (globalThis as unknown as { hilErrors: string[] }).hilErrors)).toEqual([]);
    await page.close();
  });

  (CHROMIUM ? it : it.skip)('the model diagram shows every state name in full, inside its box, and marks what the case did', async () => {
    const { page, errors } = await openPage(browser!);
    await load(page, casePage('demo[cut_after=50ms]'));
    const boxes = await page.$$eval('svg.model g[data-state]', (groups) =>
      groups.map((g) => {
        const rect = (g.querySelector('rect') as unknown as Drawn).getBBox();
        const text = g.querySelector('text.state-name') as unknown as Drawn;
        const t = text.getBBox();
        const inside =
          t.x >= rect.x && t.x + t.width <= rect.x + rect.width && t.y >= rect.y - 1 && t.y + t.height <= rect.y + rect.height + 1;
        return { state: g.getAttribute('data-state'), name: text.textContent, inside, cls: g.getAttribute('class') };
      }),
    );
    const names = boxes.map((b) => b.state);
    for (const s of [...coverage({}).states, 'fail.no-banner', 'fail.booted-invalid-slot', 'fail.copy-stalled']) expect(names).toContain(s);
    for (const b of boxes) {
      expect(b.name).toBe(b.state);
      expect(b.inside).toBe(true);
    }
    const cls = (s: string) => boxes.find((b) => b.state === s)!.cls!.split(' ');
    expect(cls('bootloader')).toContain('cluster'); // nested states are drawn inside their parent
    expect(cls('fail.no-banner')).toEqual(['state', 'fail-state', 'failed']);
    expect(cls('copying')).toEqual(expect.arrayContaining(['visited', 'cut']));
    expect(cls('app-running')).not.toContain('visited');
    const labels = await page.$$eval('svg.model .edge text.edge-label', (els) => els.map((e) => e.textContent));
    expect(labels).toEqual(expect.arrayContaining(['POWER_ON', 'BANNER', 'NO_IMAGE', 'DONE [version=1.0.0]']));
    // Fail states stand apart: right of every state of the flow.
    const right = await page.$$eval('svg.model g.state:not(.fail-state) rect, svg.model g.cluster rect', (els) =>
      Math.max(...els.map((e) => (e as unknown as Drawn).getBBox().x + (e as unknown as Drawn).getBBox().width)),
    );
    const failLeft = await page.$$eval('svg.model g.fail-state rect', (els) =>
      Math.min(...els.map((e) => (e as unknown as Drawn).getBBox().x)),
    );
    expect(failLeft).toBeGreaterThan(right);
    expect(errors).toEqual([]);
    await page.close();
  });

  (CHROMIUM ? it : it.skip)('a case that failed a check in a success state shows that state as where it ended, not as failed', async () => {
    const { page, errors } = await openPage(browser!);
    await load(page, casePage('demo[cut_after=80ms]'));
    const cls = await page.getAttribute('svg.model g[data-state="app-running"]', 'class');
    expect(cls!.split(' ')).toEqual(['state', 'visited', 'ended']);
    const stroke = await page.$eval(
      'svg.model g[data-state="app-running"] rect',
      (r) => (globalThis as unknown as { getComputedStyle(e: unknown): { stroke: string } }).getComputedStyle(r).stroke,
    );
    expect(stroke).not.toMatch(/rgb\(2[0-5]\d, [0-9]{1,2}, [0-9]{1,2}\)/); // no red
    expect(await page.$$('svg.model g.failed')).toHaveLength(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  (CHROMIUM ? it : it.skip)(
    'a case page: images in the header, the cut in the console, the timeline zooms, board markup inert',
    async () => {
      const { page, errors } = await openPage(browser!);
      await load(page, casePage('demo[cut_after=50ms]'));
      const images = await page.$$eval('table.images tbody tr', (rows) =>
        rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)),
      );
      expect(images).toEqual([
        ['bootloader', '/work/build/bootloader-header-first.bin', '', 'ab'.repeat(32), '--image'],
        ['factory', '/work/build/factory.signed.bin', '1.0.0', 'cd'.repeat(32), 'rig'],
      ]);
      // The cut sits between the last line before it and the first after it.
      const listing = await page.$$eval('ol.console li', (items) => items.map((li) => li.className || li.textContent));
      const cut = listing.indexOf('cut-mark');
      expect(listing[cut - 1]).toMatch(/Copying factory image 40%$/);
      expect(listing[cut + 1]).toBe('power-mark');
      expect(listing[cut + 2]).toMatch(/MCUboot Bootloader Started$/);
      expect(await page.textContent('ol.console li.cut-mark')).toMatch(/power cut at 900ms in state copying/);
      expect(await page.textContent('.console-count')).toBe(`${BOOT.length + HOSTILE.length + CONTROL.length} lines`);
      // 600 dots in the console and 400 in the message wrap: the page is no wider than the window.
      expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(0);

      // 30 s case: the whole case first, then the 200 ms around the cut fill the axis.
      const cutX = () => page.$eval('svg.timeline g.cut line', (l) => Number(l.getAttribute('x1')));
      expect(await page.textContent('.tl-range')).toBe('0ms – 30.000s');
      expect(await cutX()).toBeLessThan(100);
      await page.click('button.tl-cut');
      expect(await page.textContent('.tl-range')).toBe('800ms – 1.000s');
      expect(await cutX()).toBeCloseTo((70 + 990) / 2, 0);
      const ticks = await page.$$eval('svg.timeline g.ticks text', (els) => els.map((e) => e.textContent));
      expect(ticks).toContain('900ms');
      // Dragging across the chart zooms to the dragged range.
      await page.click('button.tl-all');
      const box = (await page.$('svg.timeline'))!.boundingBox();
      const b = (await box)!;
      await page.mouse.move(b.x + b.width * 0.1, b.y + 40);
      await page.mouse.down();
      await page.mouse.move(b.x + b.width * 0.3, b.y + 40, { steps: 4 });
      await page.mouse.up();
      const range = (await page.textContent('.tl-range'))!;
      expect(range).not.toBe('0ms – 30.000s');

      expect(await page.$('[data-pwned]')).toBeNull();
      expect(await page.$$eval('script', (s) => s.length)).toBe(2);
      expect(errors).toEqual([]);
      await page.close();
    },
  );
});
