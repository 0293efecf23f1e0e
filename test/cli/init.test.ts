import { afterAll, describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { githubWorkflow, gitlabJobs, GITLAB_CI, POWER_BLOCKS, PROBE_BLOCKS, rigFile } from '../../src/cli/starterFiles.js';
import { loadRig } from '../../src/rig/RigSpec.js';
import { hil, ROOT } from '../helpers/hilCli.js';

/** `hil init` starts hil in a firmware repository: valid files, never one overwritten, CI files their schemas accept. */
const root = mkdtempSync(join(tmpdir(), 'hil-init-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const schema = (name: string) => JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'schemas', name), 'utf8')) as object;
// strict: false, validateFormats: false: the published schemas use annotations (markdownDescription) and formats
// ajv does not know; every structural keyword is still checked.
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
const githubSchema = ajv.compile(schema('github-workflow.json'));
const gitlabSchema = ajv.compile(schema('gitlab-ci.json'));

function errors(validate: typeof githubSchema, yamlText: string): string[] {
  return validate(parse(yamlText)) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

describe('hil init', () => {
  it('writes a rig, a scenario, .gitignore entries and CI files that hil validate accepts; a second run keeps them all', async () => {
    const repo = join(root, 'firmware');
    mkdirSync(repo);
    writeFileSync(join(repo, '.gitignore'), 'build/\n/reports\n');
    const first = await hil(['init', '--probe', 'pyocd', '--power', 'numato', '--name', 'lab3'], { cwd: repo });
    expect(first.code).toBe(0);
    for (const f of [
      'rigs/lab3.yaml',
      'scenarios/boot.yaml',
      '.github/workflows/hil-nightly.yml',
      '.gitlab/hil-nightly.yml',
      '.gitlab-ci.yml',
    ])
      expect(first.stdout).toContain(`wrote    ${f}`);
    expect(readFileSync(join(repo, 'rigs', 'lab3.yaml'), 'utf8')).toMatch(/probe: \{ kind: pyocd.*\npower: \{ kind: numato/);
    // /reports was there: only the missing entries are appended
    expect(readFileSync(join(repo, '.gitignore'), 'utf8')).toBe('build/\n/reports\n\n# hil\n.hil/\nnode_modules/\n');

    const validate = await hil(['validate', 'rigs/lab3.yaml', 'scenarios/boot.yaml'], { cwd: repo });
    expect(validate.stdout).toMatch(/2 files checked, 0 problems/);
    expect(validate.code).toBe(0);

    writeFileSync(join(repo, 'scenarios', 'boot.yaml'), '# mine\n');
    const before = readdirSync(repo, { recursive: true }).length;
    const second = await hil(['init', '--probe', 'openocd', '--name', 'lab3'], { cwd: repo });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/kept {5}scenarios\/boot\.yaml \(already there\)/);
    expect(second.stdout).toMatch(/kept {5}rigs\/lab3\.yaml/);
    expect(readFileSync(join(repo, 'scenarios', 'boot.yaml'), 'utf8')).toBe('# mine\n');
    expect(readFileSync(join(repo, 'rigs', 'lab3.yaml'), 'utf8')).toMatch(/kind: pyocd/);
    expect(readFileSync(join(repo, '.gitignore'), 'utf8').match(/\.hil\//g)).toHaveLength(1);
    expect(readdirSync(repo, { recursive: true })).toHaveLength(before);
  });

  it('refuses an unknown probe or power kind with one line and exit 2, writing nothing', async () => {
    const repo = join(root, 'bad');
    mkdirSync(repo);
    const r = await hil(['init', '--power', 'usbrelai'], { cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/--power: "usbrelai" is not one of usbrelay, .*did you mean "usbrelay"/),
    ]);
    expect(readdirSync(repo)).toEqual([]);
  });

  it('makes a rig file hil loads for every probe and power kind', () => {
    const dir = join(root, 'kinds', 'rigs');
    mkdirSync(dir, { recursive: true });
    for (const probe of Object.keys(PROBE_BLOCKS) as Array<keyof typeof PROBE_BLOCKS>)
      for (const power of Object.keys(POWER_BLOCKS) as Array<keyof typeof POWER_BLOCKS>) {
        const file = join(dir, `${probe}-${power}.yaml`);
        writeFileSync(file, rigFile(`${probe}-${power}`, probe, power));
        const rig = loadRig(file);
        expect([rig.probe?.kind, rig.power.kind]).toEqual([probe, power]);
      }
  });

  it("writes CI files their published schemas accept (GitHub's workflow schema, GitLab's CI schema)", () => {
    expect(errors(githubSchema, githubWorkflow('lab3'))).toEqual([]);
    expect(errors(gitlabSchema, gitlabJobs('lab3'))).toEqual([]);
    expect(errors(gitlabSchema, GITLAB_CI)).toEqual([]);
    // and the schemas catch a mistake: a job without runs-on, a job key GitLab does not know
    expect(errors(githubSchema, githubWorkflow('lab3').replace(/ {4}runs-on: .*\n/, ''))).not.toEqual([]);
    expect(errors(gitlabSchema, gitlabJobs('lab3').replace('  timeout: 2h', '  timeout: 2h\n  retry_on: never'))).not.toEqual([]);
  });

  it('keeps the workflows in docs/ci valid against the same schemas', () => {
    const docs = join(ROOT, 'docs', 'ci');
    const files = readdirSync(docs).filter((f) => f.endsWith('.yml'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const text = readFileSync(join(docs, f), 'utf8');
      expect({ file: f, errors: errors(f.includes('gitlab') ? gitlabSchema : githubSchema, text) }).toEqual({ file: f, errors: [] });
    }
    expect(existsSync(join(docs, 'README.md'))).toBe(true);
  });
});
