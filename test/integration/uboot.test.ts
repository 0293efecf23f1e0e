import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { hil, ROOT } from '../helpers/hilCli.js';

/**
 * Debian's real U-Boot (u-boot-qemu) under hil: rigs/uboot-qemu.yaml and its two scenarios pass, and a scenario
 * that types ahead during the autoboot countdown fails the way a user sees it on a board, with a replay command
 * that works for a scenario given by path.
 */
let reports: string;

beforeAll(() => {
  reports = mkdtempSync(join(tmpdir(), 'hil-uboot-'));
});

afterAll(() => {
  rmSync(reports, { recursive: true, force: true });
});

/** The one case folder of scenario `name` in the run written to `dir`. */
function caseFile(dir: string, name: string, file: string): string {
  const [run] = readdirSync(dir).filter((d) => /^\d{4}-/.test(d));
  return readFileSync(join(dir, run!, name, file), 'utf8');
}

describe('U-Boot on QEMU virt', () => {
  it('stops autoboot at its prompt, checks command output, and survives a power cut mid-erase', async () => {
    const dir = join(reports, 'pass');
    const r = await hil(['run', 'uboot-commands', 'uboot-erase-powerfail', '--report-dir', dir], { timeoutMs: 120_000 });
    expect(r.stdout).toMatch(/^2 passed, 0 failed, 0 errors$/m);
    expect(r.stdout).toMatch(/^ {2}shell\.erasing \* +1 +1$/m);
    expect(r.code).toBe(0);

    const commands = caseFile(dir, 'uboot-commands', 'console.log');
    // Each command typed once, at a prompt, in full: nothing swallowed.
    expect(commands).toMatch(/\] => version\n\[[ .\d]+\] U-Boot 2023\.01/);
    expect(commands).toMatch(/\] 04040000: 5eed1234 /);
    expect(commands).toMatch(/\] Erased 2 sectors\n/);
    expect(commands).toMatch(/\] 04040000: ffffffff /);

    // The erase was cut part-way: some of its 254 dots, no "done"; the next boot read the flash as the cut left it.
    const erase = caseFile(dir, 'uboot-erase-powerfail', 'console.log');
    const dots = /\] (\.+)\n/.exec(erase)?.[1].length ?? 0;
    expect(dots).toBeGreaterThan(0);
    expect(dots).toBeLessThan(254);
    expect(erase).not.toMatch(/Erased 254 sectors/);
    expect(erase).toMatch(/\] 04040000: ffffffff [^\n]*\n[^\n]*=> md\.l 0x05fe0000 1\n\[[ .\d]+\] 05fe0000: c0ffee11 /);
  });

  it('fails a scenario that types during the autoboot countdown (the first key is eaten), and its replay command works', async () => {
    const file = join(reports, 'typed-ahead.yaml');
    const original = readFileSync(join(ROOT, 'scenarios/uboot-commands.yaml'), 'utf8');
    const typedAhead = original
      .replace("  - send: { raw: ' ' }", '  - send: version')
      .replace('  - send: { line: version, after: PROMPT, charDelay: 2ms }\n', '');
    expect(typedAhead).not.toBe(original);
    writeFileSync(file, `name: uboot-typed-ahead\n${typedAhead}`);
    const r = await hil(['run', file, '--report-dir', join(reports, 'fail')], { timeoutMs: 60_000 });
    // Before or after the prompt that follows it reached the model, as the bytes came in one read or two.
    expect(r.stdout).toMatch(
      /FAIL uboot-typed-ahead \([\d.]+s\): keys-lost: UNKNOWN "Unknown command 'ersion' - try 'help'" in state (autoboot|shell\.prompt) /,
    );
    const replay = `hil run ${relative(ROOT, file)} --case 'uboot-typed-ahead'`;
    expect(r.stdout).toContain(replay);
    expect(r.code).toBe(1);

    const again = await hil([...replay.split(' ').slice(1, -1), 'uboot-typed-ahead', '--report-dir', join(reports, 'replay')]);
    expect(again.stdout).toContain('keys-lost: UNKNOWN');
    expect(again.code).toBe(1);
  });
});
