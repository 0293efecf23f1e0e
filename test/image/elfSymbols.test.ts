import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argumentRegisters, elfBeside, elfSymbols } from '../../src/image/elfSymbols.js';

/** The symbol table of the virtual rig's own firmware, read without gdb; and what a broken file is told as. */
const BOOTLOADER = 'rigs/virtual/firmware/build/bootloader.elf';
const dir = mkdtempSync(join(tmpdir(), 'hil-elf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('elfSymbols', () => {
  it("reads the firmware's functions and its machine, without ARM's mapping symbols or section names", () => {
    const elf = elfSymbols(BOOTLOADER);
    expect(elf.machine).toBe(40);
    for (const name of ['flash_program_word', 'flash_erase_sector', 'main', 'Reset_Handler']) expect(elf.symbols.has(name)).toBe(true);
    expect([...elf.symbols].filter((s) => s.startsWith('$') || s.startsWith('.'))).toEqual([]);
  });

  it('says what is wrong with a file that is no ELF, or a cut-off one', () => {
    writeFileSync(join(dir, 'text.elf'), 'not an elf at all, but long enough to have a header of fifty-two bytes');
    expect(() => elfSymbols(join(dir, 'text.elf'))).toThrow(/^not an ELF file$/);
    writeFileSync(join(dir, 'cut.elf'), readFileSync(BOOTLOADER).subarray(0, 4096));
    expect(() => elfSymbols(join(dir, 'cut.elf'))).toThrow(/truncated ELF file/);
  });

  it('finds the ELF beside an image as the cut step does', () => {
    expect(elfBeside('build/bootloader.bin')).toBe('build/bootloader.elf');
    expect(elfBeside('build/app.ELF')).toBe('build/app.ELF');
    expect(elfBeside('build/noext')).toBe('build/noext.elf');
  });

  it('knows where arguments arrive on ARM, AArch64 and RISC-V, and nothing of other machines', () => {
    expect(argumentRegisters(40)?.names).toEqual(['r0', 'r1', 'r2', 'r3', 'a1', 'a2', 'a3', 'a4']);
    expect(argumentRegisters(183)?.names).toContain('x7');
    expect(argumentRegisters(243)?.names).toContain('a7');
    expect(argumentRegisters(62)).toBeUndefined();
  });
});
