import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeBreakpoint } from '../drivers/probe/Probe.js';
import { RigError } from '../errors.js';
import { lastMeaningfulLine, runTool } from '../run/exec.js';
import type { Timeline } from '../run/Timeline.js';

export interface GdbBreakOptions {
  part: string;
  gdb: string;
  /** `host:port` of the gdbstub of a running target. */
  target: string;
  breakpoint: CodeBreakpoint;
  /** Bound on the whole session, armed or halted. */
  timeoutMs: number;
  timeline: Timeline;
  signal: AbortSignal;
}

export interface GdbBreakSession {
  /** The breakpoint is set and the target was told to continue. */
  armed: Promise<void>;
  /** The CPU halted at the hit; rejects if gdb ends first. */
  halted: Promise<{ t: number; pc?: number }>;
  /** Kills gdb (and its process group); safe to call twice. */
  release(): Promise<void>;
  /** Settles when gdb is gone. */
  done: Promise<void>;
}

const ARMED = '@@hil-armed@@';
const HALTED = /@@hil-halted (\d+)@@/;

/** Registers that tell two calls apart (ARM: the virtual rig's boards are Cortex-M): same values at the same entry, same call. */
const CALL_REGISTERS = ['sp', 'lr', 'r0', 'r1', 'r2', 'r3'];

/**
 * `break *symbol` that stops at the `hit`-th call. Not gdb's `ignore` count: an exception taken at the
 * breakpoint (a SysTick right at the function's entry) returns to the same instruction and reports the
 * breakpoint again, so `ignore` counts one call twice (seen: hit 500 stopped after 496 to 498 words). A stop is
 * a new call only when the stack, return address or arguments differ from the previous stop's; the counting
 * happens in the condition, which gdb evaluates at every stop.
 */
function countingBreakpoint(symbol: string, hit: number): string[] {
  const saved = (r: string) => `$hil_${r}`;
  const changed = CALL_REGISTERS.map((r) => `$${r} != ${saved(r)}`).join(' || ');
  const remember = [...CALL_REGISTERS.map((r) => `${saved(r)} = $${r}`), '$hil_calls = $hil_calls + 1'].join(', ');
  return [
    ...CALL_REGISTERS.map((r) => `set var ${saved(r)} = -1`),
    'set var $hil_calls = 0',
    `break *${symbol} if (${changed}) && (${remember}) == ${hit}`,
  ];
}

/**
 * gdb kept attached while the target runs: the script ends in a `shell sleep` so gdb neither detaches nor kills
 * the target once halted (either would let the CPU run on, or end the board outside a power cut); the caller
 * cuts power, then releases, which kills gdb's process group, the sleep with it.
 */
export function gdbBreak(o: GdbBreakOptions): GdbBreakSession {
  const { symbol, hit, symbols } = o.breakpoint;
  const stop = new AbortController();
  let output = '';
  let onArmed!: () => void;
  let onHalted!: (h: { t: number; pc?: number }) => void;
  const armed = new Promise<void>((r) => (onArmed = r));
  const halted = new Promise<{ t: number; pc?: number }>((r) => (onHalted = r));
  let isArmed = false;
  let isHalted = false;

  const run = (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hil-gdb-'));
    try {
      await symlink(symbols, join(dir, 'symbols.elf'));
      const script = [
        'file symbols.elf',
        `target remote ${o.target}`,
        ...countingBreakpoint(symbol, hit),
        `echo ${ARMED}\\n`,
        'continue',
        'printf "@@hil-halted %u@@\\n", $pc',
        `shell sleep ${Math.ceil(o.timeoutMs / 1000) + 1}`,
        '',
      ].join('\n');
      await writeFile(join(dir, 'break.gdb'), script);
      return await runTool({
        part: o.part,
        cmd: o.gdb,
        args: ['-batch', '-nx', ...['-iex', 'set auto-load off', '-iex', 'set debuginfod enabled off', '-iex', 'set confirm off', '-iex', 'set pagination off'], '-x', 'break.gdb'],
        cwd: dir,
        timeoutMs: o.timeoutMs,
        signal: AbortSignal.any([o.signal, stop.signal]),
        timeline: o.timeline,
        reject: false,
        installHint: 'gdb-multiarch',
        killGraceMs: 200,
        onOutput(chunk, stream) {
          if (stream !== 'stdout') return;
          // Stamped on arrival: the halt's time is when hil learnt of it, the moment it can act.
          const t = o.timeline.now();
          output += chunk;
          if (!isArmed && output.includes(ARMED)) {
            isArmed = true;
            onArmed();
          }
          const m = HALTED.exec(output);
          if (m && !isHalted) {
            isHalted = true;
            onHalted({ t, pc: Number(m[1]) });
          }
        },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();

  const ended = (why: string) => new RigError(o.part, why);
  const done = run.then(
    (result) => {
      if (isHalted) return;
      const said = /Error in sourced command file:\s*\n(.+)/.exec(result.stderr)?.[1]?.trim() ?? lastMeaningfulLine(result.stderr) ?? lastMeaningfulLine(result.stdout);
      const what = isArmed ? `gdb ended before hit ${hit} of ${symbol}` : `gdb could not arm a breakpoint at ${symbol}`;
      throw ended(`${what}${said ? `: ${said}` : ''}`);
    },
    (err: unknown) => {
      if (isHalted && stop.signal.aborted) return;
      throw err;
    },
  );
  const failed = done.then(
    () => {
      throw ended(`gdb was released before hit ${hit} of ${symbol}`);
    },
    (err: unknown) => {
      throw err;
    },
  );
  // Whichever comes first: the marker, or gdb ending without it.
  const armedOrFailed = Promise.race([armed, failed]);
  const haltedOrFailed = Promise.race([halted, failed]);
  failed.catch(() => undefined);
  armedOrFailed.catch(() => undefined);
  haltedOrFailed.catch(() => undefined);
  return {
    armed: armedOrFailed,
    halted: haltedOrFailed,
    async release() {
      stop.abort(new RigError(o.part, 'released'));
      await done.catch(() => undefined);
    },
    done: done.catch(() => undefined),
  };
}
