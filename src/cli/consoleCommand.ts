import { loadRig } from '../config/Rig.js';
import { Project } from '../run/Project.js';
import { RigSession } from '../run/RigSession.js';
import { Timeline } from '../run/Timeline.js';
import { err, out, paint, useColor } from './output.js';

/**
 * `hil console <rig>`: the board's console live with timestamps; stdin lines are sent to the board.
 * `--power` switches the board on first (and off again on exit). Ctrl-C leaves.
 */
export async function consoleCommand(rigRef: string, opts: { power?: boolean }): Promise<number> {
  const rig = loadRig(new Project().resolve('rigs', rigRef));
  const timeline = new Timeline();
  const color = useColor();
  const session = new RigSession(rig, { timeline, log: err });
  const { console: board, power } = session.handles;
  board.subscribe({
    line: (l) => out(`${paint('gray', `[${(l.t / 1000).toFixed(3).padStart(9)}]`, color)} ${l.text}`),
    gap: (g) => out(paint('yellow', `--- console gone: ${g.reason} ---`, color)),
    resume: (r) => out(paint('yellow', `--- console back after ${Math.round(r.gapMs)} ms ---`, color)),
  });
  await board.open();
  if (opts.power) await power.on();
  err(paint("gray", `console of ${rig.name}; Ctrl-C to leave`, color));
  const onInput = (chunk: Buffer) => void board.write(chunk.toString('utf8').replace(/\r?\n/g, '\r'));
  process.stdin.on('data', onInput);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  process.stdin.off('data', onInput);
  process.stdin.pause();
  if (opts.power) await power.off();
  await session.close();
  return 0;
}
