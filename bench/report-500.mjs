#!/usr/bin/env node
// The HTML report of a 500-case sweep: its size and how long Chromium takes to open it (goal: under 2 s, the
// page small). A real 3-case hit sweep on the virtual rig (a bootloader build that fails every cut but the
// first) is repeated into 500 cases, each with its own folder (console, timeline, result) and hit value; the
// pages are written by the report code itself (dist/report/html.js). Opened from disk in Debian's chromium
// with playwright-core, as a person would from reports/. Uses the build (npm run build first).
// Usage: node bench/report-500.mjs [cases=500]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { writeHtmlReport } from '../dist/report/html.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const count = Number(process.argv[2] ?? 500);
const work = mkdtempSync(join(tmpdir(), 'hil-report-bench-'));
try {
  const real = join(work, 'real');
  try {
    execFileSync(
      process.execPath,
      [
        join(root, 'bin/hil.js'),
        'run',
        'rollback-powerfail-exhaustive',
        '--param',
        'hit=1,2,129',
        '--image',
        'bootloader=rigs/virtual/firmware/build/bootloader-no-validate.bin',
        '--report-dir',
        real,
      ],
      { cwd: root, stdio: 'ignore', timeout: 120_000, env: { ...process.env, HIL_WAIT: '600' } },
    );
  } catch (err) {
    if (err.status !== 1) throw err; // 1: the cases that failed, as they should on this build
  }
  const realDir = join(
    real,
    readdirSync(real).find((d) => /^\d{4}-/.test(d)),
  );
  const source = JSON.parse(readFileSync(join(realDir, 'results.json'), 'utf8'));

  const runDir = join(work, 'reports', 'sweep-500');
  const cases = Array.from({ length: count }, (_, i) => {
    const from = source.cases[i === 0 ? 0 : 1 + (i % (source.cases.length - 1))];
    const hit = String(i + 1);
    const id = `${from.scenario}[hit=${hit}]`;
    const dir = `${from.scenario}_hit=${hit}`;
    cpSync(join(realDir, from.dir), join(runDir, dir), { recursive: true });
    return { ...from, id, dir, params: { hit }, properties: { ...from.properties, 'param.hit': hit } };
  });
  const run = { ...source, runId: 'sweep-500', dir: runDir, cases };
  writeFileSync(join(runDir, 'results.json'), JSON.stringify(run));

  const t0 = performance.now();
  writeHtmlReport(run, join(work, 'reports'));
  const renderMs = performance.now() - t0;
  const index = join(runDir, 'index.html');
  const casePage = join(runDir, cases[1].dir, 'case.html');

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const open = async (file) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const start = performance.now();
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-ready="true"]');
    const ms = performance.now() - start;
    const points = await page.$$eval('svg.sweep-plot .point', (els) => els.length);
    await page.close();
    if (errors.length) throw new Error(`${file}: ${errors.join('; ')}`);
    return { ms, points };
  };
  await open(index); // a first page warms the browser up
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await open(index));
  const caseRuns = [];
  for (let i = 0; i < 3; i++) caseRuns.push(await open(casePage));
  await browser.close();

  const median = (xs) => xs.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const kb = (file) => `${(statSync(file).size / 1024).toFixed(0)} KB`;
  console.log(`${count} cases (a real ${source.cases.length}-case hit sweep repeated), pages written in ${renderMs.toFixed(0)} ms`);
  console.log(
    `index.html ${kb(index)}, ${runs[0].points} points in the sweep plot: opens in ${median(runs).toFixed(0)} ms (median of 5, headless Chromium, goal < 2000 ms)`,
  );
  console.log(`a case page ${kb(casePage)}: opens in ${median(caseRuns).toFixed(0)} ms (median of 3)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
