import { afterAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/hilCli.js';
import { childrenOf } from '../helpers/processes.js';
import { until } from '../helpers/until.js';

/**
 * Tests written against the API, run by a jest of their own on the virtual rig as a firmware team runs them:
 * docs/examples/rollback.test.ts through `hil` and `hil/jest` as built (dist/), the failure cases of
 * test/fixtures/api/ from the sources. Reports and jest-junit's output go to a temporary folder.
 */
const work = mkdtempSync(join(tmpdir(), 'hil-api-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function jestConfig(name: string, roots: string[], match: string): string {
  const file = join(work, `${name}.config.mjs`);
  const config = {
    rootDir: ROOT,
    roots,
    testMatch: [match],
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    // `hil` and `hil/jest` as a project that installed the package imports them.
    moduleNameMapper: { '^hil$': '<rootDir>/dist/index.js', '^hil/jest$': '<rootDir>/dist/jest.js', '^(\\.{1,2}/.*)\\.js$': '$1' },
    transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }] },
    reporters: [
      'default',
      [
        'jest-junit',
        {
          outputDirectory: join(work, name),
          outputName: 'jest-junit.xml',
          testCasePropertiesDirectory: '<rootDir>/dist/testing',
          testCasePropertiesFile: 'jestJunitProperties.cjs',
        },
      ],
    ],
  };
  writeFileSync(file, `export default ${JSON.stringify(config, null, 2)};\n`);
  return file;
}

function jest(name: string, roots: string[], match: string) {
  return execa(
    process.execPath,
    [
      '--experimental-vm-modules',
      join(ROOT, 'node_modules/jest/bin/jest.js'),
      '-c',
      jestConfig(name, roots, match),
      '-i',
      '--json',
      '--outputFile',
      join(work, name, 'jest.json'),
    ],
    {
      cwd: ROOT,
      reject: false,
      timeout: 240_000,
      forceKillAfterDelay: 2_000,
      // HIL_WAIT: other test files share the virtual rig; this one queues for its lease.
      env: { NO_COLOR: '1', HIL_WAIT: '900', HIL_REPORT_DIR: join(work, name, 'reports') },
    },
  );
}

const runDirOf = (reports: string) =>
  join(
    reports,
    readdirSync(reports).find((d) => !d.startsWith('.') && d !== 'index.html')!,
  );
const results = (runDir: string) => JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'));
const timeline = (caseDir: string) =>
  readFileSync(join(caseDir, 'timeline.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('a jest test file written against the API', () => {
  it('type-checks against the published declarations', async () => {
    const tsc = await execa(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'docs/examples')], {
      reject: false,
      timeout: 120_000,
    });
    expect(tsc.stdout).toBe('');
    expect(tsc.exitCode).toBe(0);
  }, 150_000);

  it('cuts power mid-rollback on a console line and sees the recovery; the case is reported as hil run reports one', async () => {
    const run = await jest('example', ['<rootDir>/docs/examples'], '**/rollback.test.ts');
    expect(run.stderr).toMatch(/1 passed, 1 total/);
    expect(run.exitCode).toBe(0);

    const reports = join(work, 'example', 'reports');
    const runDir = runDirOf(reports);
    expect(runDir).toMatch(/-rollback$/);
    const { cases, unfinished } = results(runDir);
    expect(unfinished).toBeUndefined();
    expect(cases).toHaveLength(1);
    const [only] = cases;
    expect(only).toMatchObject({ status: 'pass', rig: 'virtual', scenario: 'rollback' });
    expect(only.cuts).toEqual([expect.objectContaining({ state: 'copying', anchor: 'pattern /Copying factory image 40%/' })]);
    expect(only.coverage.visited).toEqual(expect.arrayContaining(['copying', 'factory-running']));
    const caseDir = join(runDir, only.dir);
    for (const f of ['console.log', 'console.raw', 'timeline.jsonl', 'result.json']) expect(existsSync(join(caseDir, f))).toBe(true);
    const console = readFileSync(join(caseDir, 'console.log'), 'utf8');
    expect(console).toMatch(/Copying factory image 40%[\s\S]*No valid image found[\s\S]*Factory app v1\.0\.0 running/);
    expect(console).not.toMatch(/Copying factory image 50%/);
    const events = timeline(caseDir);
    expect(events.filter((e) => e.type === 'step' && e.phase === 'start').map((e) => e.key)).toEqual([
      'flash',
      'power',
      'expect',
      'expect',
      'button',
      'cut',
      'power',
      'expect',
      'button',
      'expect',
      'inspect',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'power', state: 'off', cause: 'case-end' });
    expect(readFileSync(join(runDir, 'index.html'), 'utf8')).toContain('a power cut mid-rollback is detected');

    // jest-junit's testcase carries the case's properties.
    const junit = readFileSync(join(work, 'example', 'jest-junit.xml'), 'utf8');
    expect(junit).toMatch(/<property name="cut_state" value="copying"\/>/);
    expect(junit).toMatch(/<property name="hil.status" value="pass"\/>/);
    expect(junit).toMatch(/<property name="image.bootloader.sha256" value="[0-9a-f]{64}"\/>/);
  }, 240_000);

  it("fails a test on its assertion, on the model's forbidden line (at the next call, or at the test's end), on a timeout and on a bad pattern", async () => {
    const run = await jest('failures', ['<rootDir>/test/fixtures/api'], '**/failures.jest.ts');
    expect(run.exitCode).toBe(1);
    const report = JSON.parse(readFileSync(join(work, 'failures', 'jest.json'), 'utf8'));
    const tests = Object.fromEntries(
      report.testResults[0].assertionResults.map((t: any) => [t.title, { status: t.status, message: t.failureMessages.join('\n') }]),
    );
    expect(tests['an assertion that fails']).toMatchObject({ status: 'failed', message: expect.stringContaining('another board') });
    expect(tests['a forbidden line fails the next call']).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/CaseFailure: forbidden line matched \/Secondary slot\//),
    });
    expect(tests['a forbidden line after the last call fails the test at its end'].message).toMatch(
      /forbidden line matched \/Secondary slot\//,
    );
    expect(tests['an expect that times out'].message).toMatch(/console\.expect: no line matched \/never printed\/ within 300ms/);
    expect(tests['a pattern that cannot compile'].message).toMatch(/ConfigError: console\.expect: invalid regular expression "Copying \("/);
    expect(tests['the rig still works after those'].status).toBe('passed');

    const { cases } = results(runDirOf(join(work, 'failures', 'reports')));
    const byId = Object.fromEntries(cases.map((c: any) => [c.id, c]));
    expect(byId['an assertion that fails']).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('expect(received).toBe(expected)'),
    });
    expect(byId['a forbidden line fails the next call']).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^forbidden line/),
    });
    expect(byId['a forbidden line after the last call fails the test at its end'].status).toBe('fail');
    expect(byId['an expect that times out'].status).toBe('fail');
    expect(byId['a pattern that cannot compile'].status).toBe('error');
    expect(byId['the rig still works after those'].status).toBe('pass');
    for (const c of cases)
      expect(timeline(join(runDirOf(join(work, 'failures', 'reports')), c.dir)).at(-1)).toMatchObject({ type: 'power' });
  }, 240_000);

  it('runs under vitest too: hil/vitest records each test as a case, its assertion failure included', async () => {
    const config = join(work, 'vitest.config.mjs');
    writeFileSync(
      config,
      `export default ${JSON.stringify({ root: ROOT, test: { include: ['test/fixtures/api/*.vitest.ts'], hookTimeout: 240_000 } })};\n`,
    );
    const reports = join(work, 'vitest', 'reports');
    const run = await execa(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', config], {
      cwd: ROOT,
      reject: false,
      timeout: 240_000,
      forceKillAfterDelay: 2_000,
      env: { NO_COLOR: '1', HIL_WAIT: '900', HIL_REPORT_DIR: reports },
    });
    expect(run.stdout).toMatch(/1 failed \| 1 passed/);
    expect(run.exitCode).toBe(1);
    const { cases } = results(runDirOf(reports));
    expect(cases).toEqual([
      expect.objectContaining({
        id: 'a cut mid-rollback, then the recovery',
        status: 'pass',
        cuts: [expect.objectContaining({ state: 'copying' })],
      }),
      expect.objectContaining({
        id: 'an assertion that fails',
        status: 'fail',
        message: "expected 'off' to be 'factory-running' // Object.is equality, in state off",
      }),
    ]);
  }, 240_000);

  it('on Ctrl-C switches power off, writes the case as interrupted and releases the rig', async () => {
    const reports = join(work, 'interrupted', 'reports');
    const child = jest('interrupted', ['<rootDir>/test/fixtures/api'], '**/interrupted.jest.ts');
    const consoleLog = () => {
      if (!existsSync(reports)) return '';
      const runs = readdirSync(reports).filter((d) => !d.startsWith('.') && d !== 'index.html');
      const caseDir = runs.length ? join(reports, runs[0]!, 'waits_on_a_powered_board_until_interrupted') : '';
      return caseDir && existsSync(join(caseDir, 'console.log')) ? readFileSync(join(caseDir, 'console.log'), 'utf8') : '';
    };
    await until('the board to boot', () => /Secondary slot/.test(consoleLog()), 120_000);
    // QEMU and whatever else the rig started, all of which must be gone with the power.
    const started = childrenOf(child.pid!);
    expect(started.length).toBeGreaterThan(0);
    child.kill('SIGINT');
    const result = await child;
    expect(result.signal ?? result.exitCode).toBe('SIGINT');
    const runDir = runDirOf(reports);
    const { cases, interrupted, unfinished } = results(runDir);
    expect(unfinished).toBeUndefined();
    expect(interrupted).toBe('SIGINT');
    expect(cases).toEqual([expect.objectContaining({ status: 'error', message: 'interrupted by SIGINT' })]);
    expect(timeline(join(runDir, cases[0].dir)).at(-1)).toMatchObject({ type: 'power', state: 'off', cause: 'case-end' });
    const lease = join(ROOT, '.hil', 'leases', 'virtual.json');
    if (existsSync(lease)) expect(JSON.parse(readFileSync(lease, 'utf8')).pid).not.toBe(child.pid);
    expect(started.filter((pid) => existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')))).toEqual([]);
  }, 240_000);
});
