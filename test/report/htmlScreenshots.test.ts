import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { CHROMIUM, launchChromium, load, openPage } from '../helpers/browser.js';
import { hil, ROOT } from '../helpers/hilCli.js';

/**
 * The report of a real sweep on the virtual rig, in Chromium: a hit sweep of the rollback copy on a bootloader
 * build that boots the primary slot without validating it (every cut but the first fails). Screenshots of the
 * sweep view and of a failing case go to reports/screenshots/ (kept by CI as artifacts); with
 * UPDATE_SCREENSHOTS=1 also to docs/img/, where the README shows them.
 */
const HITS = [1, 2, 129, 257, 513];
const SHOTS = join(ROOT, 'reports', 'screenshots');

let root: string;
let runDir: string;
let browser: Browser | undefined;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hil-shots-'));
  const r = await hil(
    [
      'run',
      'rollback-powerfail-exhaustive',
      '--param',
      `hit=${HITS.join(',')}`,
      '--image',
      'bootloader=rigs/virtual/firmware/build/bootloader-no-validate.bin',
      '--report-dir',
      root,
    ],
    { timeoutMs: 90_000 },
  );
  expect(r.stdout).toMatch(/^1 passed, 4 failed, 0 errors$/m);
  runDir = join(
    root,
    readdirSync(root).find((d) => /^\d{4}-/.test(d))!,
  );
  if (CHROMIUM) browser = await launchChromium();
}, 100_000);

afterAll(async () => {
  await browser?.close();
  rmSync(root, { recursive: true, force: true });
});

function keep(name: string, png: Buffer): void {
  mkdirSync(SHOTS, { recursive: true });
  const file = join(SHOTS, name);
  writeFileSync(file, png);
  if (process.env['UPDATE_SCREENSHOTS'] === '1') copyFileSync(file, join(ROOT, 'docs', 'img', name));
}

describe('the report of a real sweep', () => {
  (CHROMIUM ? it : it.skip)(
    'one point per case; a failing point opens its case; screenshots of both; no page errors',
    async () => {
      const { page, errors } = await openPage(browser!, { width: 1280, height: 900 });
      await load(page, join(runDir, 'index.html'));
      const points = await page.$$eval('svg.sweep-plot .point', (els) => els.map((e) => e.getAttribute('data-case')));
      expect(points.sort()).toEqual(HITS.map((h) => `rollback-powerfail-exhaustive[hit=${h}]`).sort());
      const sweep = (await page.$('section.sweep'))!;
      const box = (await sweep.boundingBox())!;
      keep(
        'report-sweep.png',
        await page.screenshot({ fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.ceil(box.y + box.height + 16) } }),
      );

      await page.click('svg.sweep-plot .point.fail[data-case="rollback-powerfail-exhaustive[hit=129]"]');
      await page.waitForSelector('body[data-ready="true"]');
      expect(await page.textContent('h1')).toContain('rollback-powerfail-exhaustive[hit=129]');
      expect(await page.textContent('table.images')).toMatch(/bootloader-no-validate\.bin.*--image/s);
      expect(await page.$('svg.model g.fail-state.failed[data-state="fail.booted-invalid-slot"]')).not.toBeNull();
      expect(await page.$$('ol.console li.cut-mark')).toHaveLength(1);
      const model = (await page.$('svg.model'))!;
      const bottom = (await model.boundingBox())!;
      keep(
        'report-failing-case.png',
        await page.screenshot({ fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.ceil(bottom.y + bottom.height + 8) } }),
      );
      expect(errors).toEqual([]);
      expect(readFileSync(join(SHOTS, 'report-failing-case.png')).subarray(1, 4).toString()).toBe('PNG');
    },
    30_000,
  );
});
