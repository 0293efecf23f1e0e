import { loadRig, type RigSpec } from '../rig/RigSpec.js';
import { ConfigError, Interrupted } from '../core/errors.js';
import { Project } from '../config/Project.js';
import { leaseDir, RigLease } from '../rig/RigLease.js';
import { RigSession } from '../rig/RigSession.js';
import { writableStateRoot } from '../core/stateRoot.js';
import { checkRigState } from '../rig/rigState.js';
import { Timeline } from '../core/Timeline.js';
import { err, out, paint, useColor } from './output.js';
import { terminalText } from './terminalText.js';
import { untilInterrupted } from './untilInterrupted.js';
import type { ConsoleOptions } from './commandLine.js';

/**
 * `hil console <rig>`: the board's console live with timestamps; stdin lines are sent to the board.
 * `--power` switches the board on first (and off again on exit). Ctrl-C leaves. The rig is leased as for a
 * run: a console must never start a second board on the flash a run is using.
 */
export async function consoleCommand(rigRef: string, opts: ConsoleOptions): Promise<number> {
  const waitValue = opts.wait ?? process.env['HIL_WAIT'] ?? '0';
  const waitS = Number(waitValue);
  if (!Number.isInteger(waitS) || waitS < 0)
    throw new ConfigError({
      file: 'command line',
      field: '--wait',
      message: `expected a whole number >= 0, got ${JSON.stringify(waitValue)}`,
    });
  const project = new Project();
  const rig = loadRig(project.resolve('rigs', rigRef));
  const color = useColor();
  checkRigState(rig, writableStateRoot(project.root));
  return untilInterrupted(async (leaving) => {
    try {
      const lease = await RigLease.acquire({
        dir: leaseDir(project.root),
        rig: rig.name,
        run: 'hil console',
        waitMs: waitS * 1000,
        signal: leaving,
        log: err,
      });
      try {
        await showConsole(rig, opts, leaving, color);
      } finally {
        lease.release();
      }
    } catch (error) {
      if (!(error instanceof Interrupted)) throw error;
    }
    return 0;
  });
}

async function showConsole(rig: RigSpec, opts: Pick<ConsoleOptions, 'power'>, leaving: AbortSignal, color: boolean): Promise<void> {
  const session = new RigSession(rig, { timeline: new Timeline(), log: err });
  const { console: board, power } = session.handles;
  board.subscribe({
    line: (l) => out(`${paint('gray', `[${(l.t / 1000).toFixed(3).padStart(9)}]`, color)} ${terminalText(l.text)}`),
    gap: (g) => out(paint('yellow', `--- console gone: ${g.reason} ---`, color)),
    resume: (r) => out(paint('yellow', `--- console back after ${Math.round(r.gapMs)} ms ---`, color)),
  });
  const onInput = (chunk: Buffer) => {
    board.write(chunk.toString('utf8').replace(/\r?\n/g, '\r')).catch((error: unknown) => {
      err(paint('yellow', `--- not sent: ${(error as Error).message}${opts.power ? '' : ' (--power switches the board on)'} ---`, color));
    });
  };
  try {
    await board.open();
    if (opts.power) await power.on();
    err(paint('gray', `console of ${rig.name}; Ctrl-C to leave`, color));
    process.stdin.on('data', onInput);
    if (!leaving.aborted) await new Promise<void>((resolve) => leaving.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    process.stdin.off('data', onInput);
    process.stdin.pause();
    if (opts.power) await power.off();
    await session.close();
  }
}
