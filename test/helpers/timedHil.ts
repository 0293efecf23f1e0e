import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hil } from './hilCli.js';

/**
 * `hil` under /usr/bin/time: its CPU time (user + system) besides the wall time. A refusal's "< 2 s" is checked on
 * CPU time, which the load of other test files sharing the machine does not inflate as it does the wall clock.
 */
export async function timedHil(args: string[], options: Parameters<typeof hil>[1] = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hil-time-'));
  try {
    const started = performance.now();
    const r = await hil(args, { ...options, wrap: ['/usr/bin/time', '-f', '%U %S', '-o', join(dir, 'time')] });
    const wallMs = performance.now() - started;
    const [user, system] = readFileSync(join(dir, 'time'), 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
    return { ...r, wallMs, cpuMs: (user! + system!) * 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
