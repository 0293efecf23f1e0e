import { join, relative, resolve } from 'node:path';
import { Project } from '../config/Project.js';
import { ConfigError, Interrupted } from '../core/errors.js';
import { outcome } from '../core/outcome.js';
import { checkOutputDir } from '../core/outputDir.js';
import { writableStateRoot } from '../core/stateRoot.js';
import type { TimelineEvent } from '../core/TimelineEvent.js';
import { leaseDir, RigLease } from '../rig/RigLease.js';
import { haltBeforeCut, planDebug, type DebugPlan } from '../run/DebugCase.js';
import { newRunId } from '../run/Run.js';
import type { DebugOptions } from './commandLine.js';
import { GdbForward } from './gdbForward.js';
import { parsePairs } from './optionPairs.js';
import { err, out, paint, useColor } from './output.js';
import { terminalText } from './terminalText.js';
import { untilInterrupted } from './untilInterrupted.js';

/**
 * `hil debug <case>`: the case run as `hil run --case` runs it (same rig, images and parameters) up to just before
 * its cut, the CPU then left halted with power on and QEMU's gdbstub free for the user's gdb. Console lines and
 * model transitions are printed as they come. Ctrl-C (or SIGTERM) switches power off, closes the emulator and
 * gdb, releases the rig and exits 130 (143).
 */
export async function debugCommand(id: string, opts: DebugOptions): Promise<number> {
  const before = wholeNumber('--before', opts.before, 0);
  const waitS = wholeNumber('--wait', opts.wait ?? process.env['HIL_WAIT'] ?? '0', 0) ?? 0;
  const port = wholeNumber('--gdb-port', opts.gdbPort, 1);
  if (port !== undefined && port > 65535)
    throw new ConfigError({ file: 'command line', field: '--gdb-port', message: `expected a port from 1 to 65535, got ${port}` });
  const cut = wholeNumber('--cut', opts.cut, 1);
  const plan = planDebug({ id, rig: opts.rig, images: parsePairs('--image', opts.image), before, cut });
  const reportDir = resolve(opts.reportDir);
  checkOutputDir(reportDir, { file: 'command line', field: '--report-dir' }, 'reports');
  const project = new Project();
  writableStateRoot(project.root);
  const forward = port === undefined ? undefined : await GdbForward.listen(port);
  const color = useColor();
  try {
    return await untilInterrupted(async (leaving) => {
      let lease: RigLease;
      try {
        lease = await RigLease.acquire({
          dir: leaseDir(project.root),
          rig: plan.rig.name,
          run: `hil debug ${plan.spec.id}`,
          waitMs: waitS * 1000,
          signal: leaving,
          log: err,
        });
      } catch (error) {
        if (error instanceof Interrupted) return outcome(error).exitCode;
        throw error;
      }
      try {
        return await debugSession(plan, { leaving, forward, reportDir, color });
      } finally {
        lease.release();
      }
    });
  } finally {
    await forward?.close();
  }
}

/** The leased rig's part: run to the halt, hand the board over, wait for Ctrl-C, end. */
async function debugSession(
  plan: DebugPlan,
  { leaving, forward, reportDir, color }: { leaving: AbortSignal; forward?: GdbForward; reportDir: string; color: boolean },
): Promise<number> {
  const rel = (p: string) => relative(process.cwd(), p) || '.';
  out(`hil debug ${plan.spec.id} on ${plan.rig.name}: to ${plan.goal}`);
  let halted;
  try {
    halted = await haltBeforeCut(plan, {
      signal: leaving,
      log: err,
      runDir: join(reportDir, 'debug', newRunId()),
      onEvent: (event) => {
        const line = eventLine(event, color);
        if (line !== undefined) out(line);
      },
    });
  } catch (error) {
    if (!(error instanceof Interrupted)) {
      const { exitCode } = outcome(error);
      // A rig error is the CLI's to print, as for any command; a case that failed before the cut says so here.
      if (exitCode !== 1) throw error;
      err(paint('red', `the case ended before the halt: ${(error as Error).message}`, color));
      return exitCode;
    }
    out(paint('yellow', `${error.signal} before the halt: power off, rig released`, color));
    return outcome(error).exitCode;
  }
  forward?.forwardTo(halted.gdb);
  const port = forward?.port ?? Number(halted.gdb.slice(halted.gdb.lastIndexOf(':') + 1));
  const configured = plan.rig.probe?.options['gdb'];
  const gdb = typeof configured === 'string' ? configured : 'gdb-multiarch';
  const pc = halted.pc === undefined ? '' : `, pc 0x${halted.pc.toString(16)}`;
  out(paint('bold', `halted at ${plan.goal}${pc}; power on, model in ${halted.state}`, color));
  out(`attach: ${gdb}${plan.symbols ? ` ${rel(plan.symbols)}` : ''} -ex 'target remote :${port}'`);
  for (const file of halted.flashFiles) out(`flash: ${rel(file)} (live)`);
  if (plan.args.fault && plan.args.fault !== 'clean')
    out(`the cut would apply ${plan.args.fault} (seed ${plan.args.seed}) at hit ${plan.args.at?.hit}`);
  out(
    paint(
      'gray',
      "leave with gdb's `disconnect` (`detach` resumes the CPU); the model's time limits still run; Ctrl-C ends: power off, rig released",
      color,
    ),
  );
  if (!leaving.aborted) await new Promise<void>((r) => leaving.addEventListener('abort', () => r(), { once: true }));
  const signal = leaving.reason instanceof Interrupted ? leaving.reason.signal : 'SIGTERM';
  out(paint('yellow', `\n${signal}: switching power off, closing QEMU and gdb, releasing the rig...`, color));
  await halted.end();
  out(`power off, rig released; console and timeline: ${rel(halted.caseDir)}/`);
  return outcome(leaving.reason).exitCode;
}

/** What a timeline event prints live: steps, console lines, model transitions and failures, power edges. */
function eventLine(event: TimelineEvent, color: boolean): string | undefined {
  const t = paint('gray', `[${(event.t / 1000).toFixed(3).padStart(9)}]`, color);
  switch (event.type) {
    case 'step':
      return event.phase === 'start' ? `${t} step ${event.index + 1}: ${event.description}` : undefined;
    case 'line':
      return `${t} | ${terminalText(event.text)}`;
    case 'model':
      return event.from === null ? undefined : `${t} ${paint('cyan', `model: ${event.from} -> ${event.to} (${event.event})`, color)}`;
    case 'model-failure':
      return `${t} ${paint('red', `model failed in ${event.state}: ${event.message}`, color)}`;
    case 'power':
      return `${t} power ${event.state}${event.cause === 'step' ? '' : ` (${event.cause})`}`;
    default:
      return undefined;
  }
}

/** An option's whole number (>= min), or undefined when not given. */
function wholeNumber(option: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || value.trim() === '')
    throw new ConfigError({
      file: 'command line',
      field: option,
      message: `expected a whole number >= ${min}, got ${JSON.stringify(value)}`,
    });
  return n;
}
