import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/hilCli.js';

/**
 * hil as a firmware team uses it: packed with `npm pack`, installed as a devDependency into a repository outside
 * this checkout, and run from there with npx. Packs the current build (npm test builds first) without the
 * prepare script, so the test costs an install, not a second TypeScript build.
 */
const work = mkdtempSync(join(tmpdir(), 'hil-package-'));
const project = join(work, 'firmware');
let tarball = '';
let files: string[] = [];

// The user's shell: no state folder of ours, no quarantine or wait settings from the test environment.
const env: Record<string, string> = Object.fromEntries(
  Object.entries(process.env).filter(([k, v]) => v !== undefined && !k.startsWith('HIL_') && !k.startsWith('npm_')),
) as Record<string, string>;
env['NO_COLOR'] = '1';
env['XDG_STATE_HOME'] = join(work, 'state'); // hil's state outside a project: kept in the temporary folder

const npx = (args: string[], timeout = 120_000) =>
  execa('npx', ['--no-install', 'hil', ...args], {
    cwd: project,
    env,
    extendEnv: false,
    reject: false,
    timeout,
    forceKillAfterDelay: 2_000,
  });

beforeAll(async () => {
  expect(existsSync(join(ROOT, 'dist', 'cli', 'main.js'))).toBe(true);
  const packed = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, timeout: 60_000 });
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, info!.filename);
  files = info!.files.map((f) => f.path);

  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'firmware', private: true, version: '1.0.0' }, null, 2));
  // --prefer-offline: hil's dependencies come from npm's cache when an earlier npm ci put them there.
  const installed = await execa('npm', ['install', '--save-dev', '--prefer-offline', '--no-audit', '--no-fund', tarball], {
    cwd: project,
    env,
    extendEnv: false,
    timeout: 180_000,
  });
  expect(installed.exitCode).toBe(0);
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the npm package', () => {
  it('carries the build, its declarations, the virtual rig and its scenarios, and no tests, benches or reports', () => {
    for (const f of [
      'bin/hil.js',
      'dist/cli/main.js',
      'dist/index.js',
      'dist/index.d.ts',
      'rigs/virtual.yaml',
      'rigs/virtual/firmware/build/bootloader.bin',
      'rigs/virtual/firmware/build/bootloader.elf',
      'rigs/virtual/firmware/build/factory.img',
      'rigs/virtual/firmware/build/bootrom.bin',
      'scenarios/rollback-powerfail.yaml',
    ])
      expect(files).toContain(f);
    const unwanted = files.filter((f) => /^(test|bench|reports|src|mutants|scripts|docs)\//.test(f) || f.endsWith('.map'));
    expect(unwanted).toEqual([]);
    expect(files.filter((f) => f.startsWith('rigs/virtual/firmware/') && !f.startsWith('rigs/virtual/firmware/build/'))).toEqual([]);
    // the virtual rig's images and its faulty bootloader builds (for --image), not the seed boards' twins'
    const images = files.filter((f) => f.startsWith('rigs/virtual/firmware/build/')).map((f) => f.split('/').pop()!);
    expect(
      images.filter((f) => !/^(bootloader(-[a-z-]+)?|bootrom|factory(-full)?|upgrade(-full)?)\.(bin|elf|img)$|^flash_map\.json$/.test(f)),
    ).toEqual([]);
    expect(images.filter((f) => /psoc6|mbed/.test(f))).toEqual([]);
  });

  it('runs from node_modules/.bin in the firmware repository: init, validate, doctor, a case of the virtual rig; reports and state land there', async () => {
    const help = await npx(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stderr).not.toMatch(/not built|bootstrap/);

    const list = await npx(['list', '--json']);
    expect(list.exitCode).toBe(0);
    const entries = JSON.parse(list.stdout) as Array<{ kind: string; name: string; rigs?: string[]; file: string }>;
    const scenarios = entries.filter((e) => e.kind === 'scenario');
    expect(scenarios.map((s) => s.name)).toContain('rollback-powerfail');
    expect(scenarios.filter((s) => !s.rigs?.length).map((s) => s.name)).toEqual([]);
    expect(entries.filter((e) => e.kind === 'rig').map((e) => e.name)).toEqual(['virtual']);

    const init = await npx(['init']);
    expect(init.exitCode).toBe(0);
    for (const f of ['rigs/board.yaml', 'scenarios/boot.yaml', '.github/workflows/hil-nightly.yml', '.gitlab-ci.yml', '.gitignore'])
      expect(existsSync(join(project, f))).toBe(true);
    const validate = await npx(['validate']);
    expect(validate.stdout).toMatch(/0 problems/);
    expect(validate.exitCode).toBe(0);

    // The starter rig's probe and relay (openocd, usbrelay) and the virtual rig's QEMU and gdb, all installed here.
    const doctor = await npx(['doctor']);
    expect(doctor.stdout).toMatch(/ok\s+qemu-system-arm\s+QEMU emulator version/);
    expect(doctor.stdout).toMatch(/ok\s+openocd\s+\S/);
    expect(doctor.stdout).toMatch(/^ready: /m);
    expect(doctor.exitCode).toBe(0);

    const run = await npx(['run', 'rollback-powerfail', '--param', 'cut_after=60ms']);
    expect(run.stdout).toMatch(/1 passed, 0 failed/);
    expect(run.exitCode).toBe(0);
    const reports = readdirSync(join(project, 'reports'));
    expect(reports).toEqual(expect.arrayContaining(['junit.xml', 'index.html']));
    expect(existsSync(join(work, 'reports'))).toBe(false);
    // a project now (rigs/ is there): the virtual board's flash and the lease live in its .hil/
    expect(readdirSync(join(project, '.hil'))).toEqual(expect.arrayContaining(['rigs']));
  }, 180_000);

  it('runs the example jest test written against the API (docs/api.md) with the installed package, and type-checks it against its declarations', async () => {
    // What docs/api.md tells a team to install, at the versions this repository tests with (in npm's cache).
    const ours = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).devDependencies as Record<string, string>;
    const tools = ['jest', '@jest/globals', '@swc/core', '@swc/jest', 'jest-junit', 'typescript', '@types/node'].map(
      (p) => `${p}@${ours[p]}`,
    );
    const installed = await execa('npm', ['install', '--save-dev', '--prefer-offline', '--no-audit', '--no-fund', ...tools], {
      cwd: project,
      env,
      extendEnv: false,
      reject: false,
      timeout: 240_000,
    });
    expect(installed.stderr).not.toMatch(/ERR!/);
    mkdirSync(join(project, 'test'), { recursive: true });
    copyFileSync(join(ROOT, 'docs/examples/rollback.test.ts'), join(project, 'test/rollback.test.ts'));
    // The jest configuration docs/api.md shows, as it shows it.
    const config = /```js\n(export default \{[\s\S]*?\n\};)\n```/.exec(readFileSync(join(ROOT, 'docs/api.md'), 'utf8'))![1]!;
    writeFileSync(join(project, 'jest.config.mjs'), `${config}\n`);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true, noEmit: true, types: ['node'] },
        include: ['test'],
      }),
    );

    const tsc = await execa('npx', ['--no-install', 'tsc', '-p', '.'], {
      cwd: project,
      env,
      extendEnv: false,
      reject: false,
      timeout: 120_000,
    });
    expect(tsc.stdout).toBe('');
    expect(tsc.exitCode).toBe(0);

    const jest = await execa('npx', ['--no-install', 'jest'], {
      cwd: project,
      env: { ...env, NODE_OPTIONS: '--experimental-vm-modules' },
      extendEnv: false,
      reject: false,
      timeout: 180_000,
      forceKillAfterDelay: 2_000,
    });
    expect(jest.stderr).toMatch(/PASS test\/rollback\.test\.ts/);
    expect(jest.exitCode).toBe(0);
    expect(readFileSync(join(project, 'reports', 'jest-junit.xml'), 'utf8')).toMatch(/<property name="cut_state" value="copying"\/>/);
    const run = readdirSync(join(project, 'reports')).find((d) => d.endsWith('-rollback'))!;
    expect(JSON.parse(readFileSync(join(project, 'reports', run, 'results.json'), 'utf8')).cases).toEqual([
      expect.objectContaining({ status: 'pass', cuts: [expect.objectContaining({ state: 'copying' })] }),
    ]);
  }, 420_000);
});
