import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { FieldPath, YamlFile } from '../config/YamlFile.js';
import { suggestion } from '../core/didYouMean.js';
import type { ConfigIssue } from '../core/errors.js';
import { argumentRegisters, elfBeside, elfSymbols, type ElfSymbols } from '../image/elfSymbols.js';
import type { FlashOps } from '../virtual/QemuBoardOptions.js';
import { QEMU_RESOURCE } from '../virtual/qemuBoardFor.js';

/** An ELF file and what it defines. */
export interface NamedElf {
  path: string;
  elf: ElfSymbols;
}

/** The ELFs beside a rig's images that exist and read; an image not built yet has none, and is not checked. */
export function imageElfs(images: Record<string, { path: string }>): NamedElf[] {
  const paths = [...new Set(Object.values(images).map((i) => elfBeside(i.path)))];
  const elfs: NamedElf[] = [];
  for (const path of paths) {
    if (!existsSync(path)) continue;
    try {
      elfs.push({ path, elf: elfSymbols(path) });
    } catch {
      // An image's neighbour that is no ELF is not the rig's business; a cut that takes symbols from it says so.
    }
  }
  return elfs;
}

/** Where a flash operation's field is in a rig file. */
function flashOpsField(op: keyof FlashOps, field: string): FieldPath {
  return ['resources', QEMU_RESOURCE, 'flashOps', op, field];
}

/**
 * A rig's `flashOps` against the ELFs its firmware is built as: each function is a symbol of one of them, and each
 * argument is in a register the ELF's calling convention passes arguments in (the fault model reads it at the
 * function's first instruction, where no other register holds an argument). A name that is not there fails
 * every cut with a fault model at run time; caught here, it is the rig file's line instead.
 */
export function flashOpsIssues(yaml: YamlFile, ops: FlashOps | undefined, elfs: NamedElf[]): ConfigIssue[] {
  if (!ops || !elfs.length) return [];
  const issues: ConfigIssue[] = [];
  for (const op of ['program', 'erase'] as const) {
    const spec = ops[op];
    if (!spec) continue;
    const defining = elfs.find((e) => e.elf.symbols.has(spec.symbol));
    if (!defining) {
      const all = elfs.flatMap((e) => [...e.elf.symbols]);
      const where = elfs.map((e) => basename(e.path)).join(', ');
      issues.push(yaml.issue(flashOpsField(op, 'symbol'), `no function "${spec.symbol}" in ${where}${suggestion(spec.symbol, all)}`));
      continue;
    }
    const convention = argumentRegisters(defining.elf.machine);
    if (!convention) continue;
    const registers: Array<[string, string | number]> =
      op === 'program'
        ? [
            ['address', ops.program!.address],
            ['data', ops.program!.data],
          ]
        : [
            ['address', ops.erase!.address],
            ['length', ops.erase!.length],
          ];
    for (const [field, register] of registers) {
      if (typeof register !== 'string' || convention.names.includes(register)) continue;
      issues.push(
        yaml.issue(
          flashOpsField(op, field),
          `${register} is not an argument register: at the first instruction of ${spec.symbol} (${basename(defining.path)}, ${convention.abi}) the arguments are in ${convention.names.join(', ')}`,
        ),
      );
    }
  }
  return issues;
}
