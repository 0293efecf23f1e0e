import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { transformFileSync } from '@swc/core';
import { execa } from 'execa';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { processesMentioning } from '../helpers/processes.js';
import { until } from '../helpers/until.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** QemuProcess and what it imports at run time, compiled for a plain Node child. */
const SOURCES = ['src/virtual/QemuProcess.ts', 'src/core/processGroups.ts', 'src/core/findOnPath.ts', 'src/core/errors.ts'];

/**
 * A separate Node process starts QEMU through QemuProcess and then dies without powering off: by exiting
 * (the exit hook kills QEMU) or by SIGKILL (no hook runs; the kernel's parent-death signal kills QEMU).
 */
describe('no QEMU outlives the Node process that started it', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hil-orphans-'));
    for (const source of SOURCES) {
      const out = join(dir, source.replace(/\.ts$/, '.js'));
      await mkdir(dirname(out), { recursive: true });
      const { code } = transformFileSync(join(ROOT, source), {
        jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
        module: { type: 'es6' },
      });
      await writeFile(out, code);
    }
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    await writeFile(join(dir, 'package.json'), '{ "type": "module" }');
    await writeFile(
      join(dir, 'child.mjs'),
      `import { QemuProcess } from './src/virtual/QemuProcess.js';
const timeline = { record() {} };
const qemu = await QemuProcess.start('qemu-system-arm', ['-machine', 'mps2-an385', '-display', 'none', '-monitor', 'none', '-S', '-name', process.argv[2]], { part: 'power', timeline, lifetimeMs: 60000 });
console.log('started ' + qemu.pid);
if (process.argv[3] === 'exit') setTimeout(() => process.exit(0), 300);
else setInterval(() => {}, 1000);
`,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const how of ['exit', 'sigkill'] as const) {
    it(`when Node ${how === 'exit' ? 'exits without closing the board' : 'is SIGKILLed'}`, async () => {
      const marker = `hil-orphan-${randomUUID()}`;
      const child = execa('node', ['child.mjs', marker, how], { cwd: dir, timeout: 20_000, reject: false, buffer: false, stdout: 'pipe' });
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await until('qemu started', () => out.includes('started'), 10_000);
      const emulators = () => processesMentioning(marker).filter((p) => p.includes('qemu-system-arm'));
      expect(emulators()).toHaveLength(1);
      if (how === 'sigkill') child.kill('SIGKILL');
      await child;
      await until('qemu gone', () => emulators().length === 0, 5_000);
    });
  }
});
