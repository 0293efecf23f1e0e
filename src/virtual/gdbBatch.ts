import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RigError } from '../errors.js';
import { lastMeaningfulLine, runTool } from '../run/exec.js';
import type { Timeline } from '../run/Timeline.js';

export interface GdbBatchOptions {
  part: string;
  /** The gdb executable. */
  gdb: string;
  /** `host:port` of the gdbstub. */
  target: string;
  /** Commands run in order after connecting; the first failing one stops the rest. */
  commands: string[];
  /**
   * How gdb leaves: `detach` lets a powered board run on; `kill` ends a QEMU started only for the probe
   * (a detach would let its guest run, and write its flash, before it is stopped).
   */
  leave: 'detach' | 'kill';
  /** Scratch directory: the script goes there, and relative file names in `commands` mean files there. */
  dir: string;
  timeoutMs: number;
  timeline: Timeline;
  signal?: AbortSignal;
}

/** Printed by the script's last line: its absence means a command failed. */
const DONE = '@@hil-gdb-done@@';

/**
 * Runs gdb in batch mode against QEMU's gdbstub. The commands go in a script file because gdb stops a
 * script at its first error, while the leaving command, given with -ex, runs whatever happened.
 */
export async function gdbBatch(o: GdbBatchOptions): Promise<void> {
  const script = join(o.dir, 'commands.gdb');
  await writeFile(script, [`target remote ${o.target}`, ...o.commands, `echo ${DONE}\\n`, ''].join('\n'));
  const result = await runTool({
    part: o.part,
    cmd: o.gdb,
    args: [
      '-batch',
      '-nx',
      ...['-iex', 'set auto-load off', '-iex', 'set debuginfod enabled off', '-iex', 'set confirm off', '-iex', 'set pagination off'],
      '-x',
      script,
      '-ex',
      o.leave,
    ],
    cwd: o.dir,
    timeoutMs: o.timeoutMs,
    signal: o.signal,
    timeline: o.timeline,
    reject: false,
    installHint: 'gdb-multiarch',
  });
  if (result.stdout.includes(DONE)) return;
  const stderr = result.stderr.trim();
  // gdb says "commands.gdb:N: Error in sourced command file:" and then what went wrong.
  const said = /Error in sourced command file:\s*\n(.+)/.exec(stderr)?.[1]?.trim() ?? lastMeaningfulLine(stderr) ?? lastMeaningfulLine(result.stdout);
  throw new RigError(o.part, `gdb: ${said ?? `failed (exit ${result.exitCode})`}`, { detail: [stderr, result.stdout.trim()].filter(Boolean).join('\n') });
}
