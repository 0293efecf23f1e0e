import { RigError } from '../../core/errors.js';
import { hex } from '../../core/size.js';
import { seededWords } from '../../core/seededRandom.js';
import { FAULT_OP, erasePartial, tornWord } from '../../flash/faultModel.js';
import type { GdbMi } from '../../gdb/GdbMi.js';
import type { CutFault, FaultApplied } from '../../protocols/Probe.js';
import type { FlashOps } from '../../virtual/QemuBoardOptions.js';

/** Bound on one command of a fault (a register, a sector read or write). */
const COMMAND_MS = 10_000;
/** Bound on running an operation to its return (a sector erase takes a few ms of the firmware's time). */
const FINISH_MS = 10_000;

/** The CPU is halted at `symbol`'s first instruction: read an argument register. */
async function register(mi: GdbMi, name: string): Promise<number> {
  const { results } = await mi.command(`-data-evaluate-expression "(unsigned int)$${name}"`, { timeoutMs: COMMAND_MS });
  const value = /value="(\d+)"/.exec(results)?.[1];
  if (value === undefined) throw new RigError(mi.part, `gdb gave no value for register ${name}: ${results}`);
  return Number(value);
}

async function readBytes(mi: GdbMi, address: number, length: number): Promise<Buffer> {
  const { results } = await mi.command(`-data-read-memory-bytes ${hex(address)} ${length}`, { timeoutMs: COMMAND_MS });
  const contents = /contents="([0-9a-f]*)"/.exec(results)?.[1] ?? '';
  const bytes = Buffer.from(contents, 'hex');
  if (bytes.length !== length) throw new RigError(mi.part, `gdb read ${bytes.length} of ${length} bytes at ${hex(address)}`);
  return bytes;
}

async function writeBytes(mi: GdbMi, address: number, bytes: Buffer): Promise<void> {
  await mi.command(`-data-write-memory-bytes ${hex(address)} ${bytes.toString('hex')}`, { timeoutMs: COMMAND_MS });
}

function differing(a: Buffer, b: Buffer): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

export interface FaultSite {
  mi: GdbMi;
  /** The symbol the CPU is halted at. */
  symbol: string;
  ops: FlashOps | undefined;
  /** Lets the CPU run to the operation's return (the board must know gdb runs it) and resolves at the halt there. */
  runTo(address: number, timeoutMs: number): Promise<{ t: number; pc?: number }>;
}

/**
 * Applies `fault` at a CPU halted on the first instruction of a flash operation the rig's `flashOps` names. The
 * flash is written through gdb while the CPU stays halted, so nothing of the firmware runs before the cut.
 */
export async function applyFault(site: FaultSite, fault: CutFault): Promise<FaultApplied> {
  const { mi, symbol, ops } = site;
  const base = { model: fault.model, seed: fault.seed };
  if (fault.model === 'clean') return { ...base, changed: 0 };
  const op = ops?.program?.symbol === symbol ? 'program' : ops?.erase?.symbol === symbol ? 'erase' : undefined;
  if (!op) {
    throw new RigError(
      mi.part,
      `fault ${fault.model} at ${symbol}: resources.qemu.flashOps names no flash operation at ${symbol} (have: ${
        [ops?.program?.symbol, ops?.erase?.symbol].filter(Boolean).join(', ') || 'none'
      })`,
    );
  }
  const wanted = FAULT_OP[fault.model];
  if (wanted && wanted !== op)
    throw new RigError(mi.part, `fault ${fault.model} models an interrupted ${wanted}; ${symbol} is the flash ${op}`);
  const random = seededWords(fault.seed);
  if (fault.model === 'after-op') {
    const lr = await register(mi, 'lr');
    // Thumb return addresses carry bit 0; the instruction is at the even address.
    const back = await site.runTo(lr & ~1, FINISH_MS);
    return { ...base, op, changed: 0, haltedAt: back.t, pc: back.pc };
  }
  if (op === 'program') {
    const spec = ops!.program!;
    const address = (await register(mi, spec.address)) & ~3;
    const data = await register(mi, spec.data);
    const old = await readBytes(mi, address, 4);
    const torn = Buffer.alloc(4);
    torn.writeUInt32LE(tornWord(old.readUInt32LE(0), data, random), 0);
    await writeBytes(mi, address, torn);
    return { ...base, op, address, data, length: 4, changed: differing(old, torn) };
  }
  const spec = ops!.erase!;
  const length = typeof spec.length === 'number' ? spec.length : await register(mi, spec.length);
  let address = await register(mi, spec.address);
  // A sector erase takes any address in its sector, as the firmware's own function does.
  if (length > 0 && (length & (length - 1)) === 0) address = (address & ~(length - 1)) >>> 0;
  const old = await readBytes(mi, address, length);
  const partial = erasePartial(old, random);
  await writeBytes(mi, address, partial);
  return { ...base, op, address, length, changed: differing(old, partial) };
}
