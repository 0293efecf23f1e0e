import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { hil, ROOT } from '../helpers/hilCli.js';

/** What a new user tries first: `hil`, `hil --version`, the help's exit codes, colour in a pipe. */
describe('hil command-line manners', () => {
  it('`hil` alone prints the help on stdout and exits 0', async () => {
    const r = await hil([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: hil \[options\] \[command\]/);
    expect(r.stdout).toMatch(/^ {2}run \[options\] <scenario\.\.\.>/m);
    expect(r.stderr).toBe('');
  });

  it('`hil --version` prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await hil([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(version);
    }
  });

  it('the help of hil, hil run and hil report merge lists every exit code', async () => {
    for (const args of [['--help'], ['run', '--help'], ['report', 'merge', '--help']]) {
      const r = await hil(args);
      expect(r.code).toBe(0);
      for (const code of ['0', '1', '2', '3', '130', '143']) expect(r.stdout).toMatch(new RegExp(`^ {2}${code} +\\S`, 'm'));
    }
  });

  it('colours a pipe with FORCE_COLOR, and not with NO_COLOR or without either', async () => {
    const file = 'scenarios/rollback-powerfail.yaml';
    const forced = await hil(['validate', file], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\u001b[32mok');
    const plain = await hil(['validate', file], { env: { NO_COLOR: '', FORCE_COLOR: '' } });
    expect(plain.stdout).not.toContain('\u001b[');
    const off = await hil(['validate', file], { env: { NO_COLOR: '', FORCE_COLOR: '0' } });
    expect(off.stdout).not.toContain('\u001b[');
    const both = await hil(['validate', file], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(both.stdout).not.toContain('\u001b[');
  });
});
