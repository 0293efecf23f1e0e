/** Registers that tell two calls apart (ARM: the virtual rig's boards are Cortex-M): same values at the same entry, same call. */
export const CALL_REGISTERS = ['sp', 'lr', 'r0', 'r1', 'r2', 'r3'] as const;

/** The first argument: the flash address a program or erase function is given, and accesses. */
const ADDRESS = CALL_REGISTERS.indexOf('r0');
/** The second: the value a word program writes. All ones changes nothing a write watchpoint would report. */
const VALUE = CALL_REGISTERS.indexOf('r1');

/** Stops a watchpoint run must save over counting to be worth its own few (the other accesses to the word). */
const MIN_GAIN = 4;

/** Sequences kept per process: the scenarios of one run, a few at a time. */
const KEPT = 16;

/** A known hit the CPU can be run to on a data watchpoint: the only one of the hits up to it to access `address`. */
export interface Waypoint {
  hit: number;
  address: number;
}

/**
 * The registers at each hit's entry, learnt from the halts of earlier cases that make the same calls in the same
 * order (the same scenario, steps and parameters, but the hit). A case can then run to a known hit K on an access
 * watchpoint on the word that call K programs, a few stops (the accesses to that word), and count only the hits
 * after K, instead of stopping at every call from the first (a stop, a condition and a resume each, ~3 ms). Only
 * a hit whose address no earlier call used is a waypoint: its first access inside the function is call K.
 */
export class HitTrace {
  private readonly calls: Array<readonly number[] | undefined> = [];

  /** Records a halt's registers; false if that hit was seen before with other registers (the calls differ). */
  record(hit: number, registers: readonly number[]): boolean {
    const known = this.calls[hit - 1];
    if (known) return known.every((v, i) => v === registers[i]);
    this.calls[hit - 1] = registers;
    return true;
  }

  /** The latest waypoint before `hit`, among the hits known without a gap from hit 1. */
  waypoint(hit: number): Waypoint | undefined {
    const used = new Set<number>();
    let latest: Waypoint | undefined;
    for (let k = 1; k < hit && this.calls[k - 1]; k++) {
      const address = wordOf(this.calls[k - 1]!);
      if (!used.has(address) && this.calls[k - 1]![VALUE] !== 0xffffffff) latest = { hit: k, address };
      used.add(address);
    }
    return latest && latest.hit >= MIN_GAIN ? latest : undefined;
  }
}

function wordOf(registers: readonly number[]): number {
  return ((registers[ADDRESS] ?? 0) & ~3) >>> 0;
}

const traces = new Map<string, HitTrace>();

/** The trace of one sequence of calls, kept for the process (the run), the latest few sequences. */
export function hitTrace(key: string): HitTrace {
  let trace = traces.get(key);
  if (trace) {
    traces.delete(key);
  } else {
    trace = new HitTrace();
    if (traces.size >= KEPT) traces.delete(traces.keys().next().value!);
  }
  traces.set(key, trace);
  return trace;
}

/** Forgets a sequence whose calls turned out different from case to case. */
export function dropHitTrace(key: string): void {
  traces.delete(key);
}
