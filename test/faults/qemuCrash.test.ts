import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startHil } from '../helpers/hilCli.js';
import { startedBy } from '../helpers/processes.js';
import { untilOrAfter } from '../helpers/until.js';

/** The emulator itself crashing mid-case is the rig's fault: a rig error naming QEMU, never a board failure. */
const reports = mkdtempSync(join(tmpdir(), 'hil-qemu-crash-'));

afterAll(() => {
  rmSync(reports, { recursive: true, force: true });
});

/** QEMU processes started by `parent` (other runs on this checkout may have their own). */
const qemusOf = (parent: number) => startedBy(parent, `${ROOT}.hil/`).filter((p) => /qemu-system/.test(p));

describe('QEMU crashing mid-case', () => {
  jest.setTimeout(200_000);
  it('kill -SEGV of the QEMU process is a rig error naming it (exit 3), with nothing left running', async () => {
    // Killed during no-image-button's 1 s sleep in no-image: a moment that outlasts a loaded runner's ps, where a
    // kill aimed into a 2 s rollback case sometimes landed after the case had passed.
    const child = startHil(['run', 'no-image-button', '--report-dir', reports, '--wait', '150', '-v'], {
      timeoutMs: 190_000,
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await untilOrAfter(() => out.includes('step 4:') || child.exitCode !== null, 180_000);
    await untilOrAfter(() => qemusOf(child.pid!).length > 0, 5_000);
    const [qemu] = qemusOf(child.pid!);
    expect({ qemu, out }).toEqual({ qemu: expect.any(String), out: expect.any(String) });
    process.kill(Number(qemu!.split(' ')[0]), 'SIGSEGV');
    const r = await child;
    expect(r.stdout).toMatch(/^0 passed, 0 failed, 1 errors$/m);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/qemu/i);
    expect(r.stdout).toMatch(/SIGSEGV|signal 11|crash/i);
    const run = readdirSync(reports).find((d) => d !== 'junit.xml')!;
    const result = JSON.parse(readFileSync(join(reports, run, 'results.json'), 'utf8')).cases[0];
    expect(result.status).toBe('error');
    expect(readFileSync(join(reports, 'junit.xml'), 'utf8')).not.toMatch(/<failure/);
    expect(qemusOf(child.pid!)).toEqual([]);
  });
});
