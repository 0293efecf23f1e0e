import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { suggestion } from '../core/didYouMean.js';
import type { ConfigIssue } from '../core/errors.js';
import { FAULT_OP, type FaultModel } from '../flash/faultModel.js';
import { elfBeside, elfSymbols, type ElfSymbols } from '../image/elfSymbols.js';
import { flashOpsIssues } from '../rig/flashOpsIssues.js';
import type { RigSpec } from '../rig/RigSpec.js';
import type { CodeReference } from '../steps/Step.js';
import { qemuBoardSchema, type FlashOps } from '../virtual/QemuBoardOptions.js';
import { QEMU_RESOURCE } from '../virtual/qemuBoardFor.js';
import type { Scenario, ScenarioStep } from './Scenario.js';

/**
 * The code locations a step names, against the ELF they are in and the rig: the symbol is one of the ELF's, and a
 * fault model is cut where the rig's `flashOps` name an operation it models, with registers the ELF's calling
 * convention passes arguments in. Each of these failed at run time (gdb could not arm, the fault model could
 * not read its register), after the lease and the flash, as a rig error counted towards quarantine.
 */
export function codeIssues(scenario: Scenario, rig: RigSpec, step: ScenarioStep, code: CodeReference[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const field = (...path: string[]) => ['steps', step.index, step.key, ...path];
  for (const c of code) {
    const found = elfOf(scenario, rig, c);
    if (!('elf' in found)) {
      if (found.problem) issues.push(scenario.yaml.issue(field('at', ...found.field), found.problem));
      continue;
    }
    const { path, elf } = found;
    if (!elf.symbols.has(c.symbol)) {
      issues.push(
        scenario.yaml.issue(field('at', 'symbol'), `no function "${c.symbol}" in ${basename(path)}${suggestion(c.symbol, elf.symbols)}`),
      );
      continue;
    }
    if (!c.fault || c.fault === 'clean') continue;
    const ops = flashOpsOf(rig);
    if (!ops) {
      issues.push(
        scenario.yaml.issue(
          field('fault'),
          `fault ${c.fault}: rig ${rig.name} names no flash functions (resources.${QEMU_RESOURCE}.flashOps), so a cut cannot tell which operation it interrupts`,
        ),
      );
      continue;
    }
    const op = ops.program?.symbol === c.symbol ? 'program' : ops.erase?.symbol === c.symbol ? 'erase' : undefined;
    if (!op) {
      const named = [ops.program && `${ops.program.symbol} (program)`, ops.erase && `${ops.erase.symbol} (erase)`].filter(Boolean);
      issues.push(
        scenario.yaml.issue(
          field('fault'),
          `fault ${c.fault} at ${c.symbol}: rig ${rig.name}'s flashOps name no flash operation there (they name ${named.join(', ') || 'none'})`,
        ),
      );
      continue;
    }
    const wanted = FAULT_OP[c.fault as FaultModel];
    if (wanted && wanted !== op) {
      issues.push(
        scenario.yaml.issue(
          field('fault'),
          `fault ${c.fault} models an interrupted ${wanted}; ${c.symbol} is rig ${rig.name}'s flash ${op}`,
        ),
      );
      continue;
    }
    // The operation's registers, by the calling convention of the firmware the cut is in.
    issues.push(...flashOpsIssues(rig.yaml, { [op]: ops[op] }, [{ path, elf }]));
  }
  return issues;
}

type FoundElf = { path: string; elf: ElfSymbols } | { problem?: string; field: string[] };

/** The ELF a code location's symbol is taken from, as the cut step finds it (CutStep's symbolFile). */
function elfOf(scenario: Scenario, rig: RigSpec, c: CodeReference): FoundElf {
  let path: string;
  if (c.symbols) {
    path = resolve(dirname(scenario.file), c.symbols);
    // A file that is not there is the step's `files` check's to report.
    if (!existsSync(path)) return { field: ['symbols'] };
  } else {
    const name = c.image ?? Object.keys(rig.images)[0];
    if (name === undefined) return { problem: `rig ${rig.name} has no images to take ${c.symbol} from; give symbols: PATH`, field: [] };
    const image = rig.images[name];
    // An image the rig lacks is the step's `images` check's to report.
    if (!image) return { field: ['image'] };
    path = elfBeside(image.path);
    if (!existsSync(path))
      return {
        problem: `no ELF next to image ${name} of rig ${rig.name} (looked for ${path}); give symbols: PATH`,
        field: c.image ? ['image'] : [],
      };
  }
  try {
    return { path, elf: elfSymbols(path) };
  } catch (err) {
    return { problem: `${path}: ${(err as Error).message}`, field: c.symbols ? ['symbols'] : [] };
  }
}

function flashOpsOf(rig: RigSpec): FlashOps | undefined {
  const qemu = rig.resources[QEMU_RESOURCE];
  return qemu === undefined ? undefined : qemuBoardSchema.safeParse(qemu).data?.flashOps;
}
