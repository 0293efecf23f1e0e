import type { DriverContext } from '../protocols/DriverContext.js';
import { ConfigError } from '../core/errors.js';
import { QemuBoard } from './QemuBoard.js';
import { qemuBoardSchema } from './QemuBoardOptions.js';
import { resolveQemuArgs } from './qemuInputs.js';
import { qemuStateDir } from './qemuStatePaths.js';

/** Key of the board in `ctx.shared` and of its settings in the rig file's `resources`. */
export const QEMU_RESOURCE = 'qemu';

/** The rig's one emulated board, created by whichever of its drivers asks first (or kept from an earlier case). */
export function qemuBoardFor(ctx: DriverContext): QemuBoard {
  const board = ctx.shared(QEMU_RESOURCE, () => {
    const where = { file: `rig ${ctx.rigName}` };
    const settings = ctx.resources[QEMU_RESOURCE];
    if (settings === undefined) {
      throw new ConfigError({
        ...where,
        field: `resources.${QEMU_RESOURCE}`,
        message: `the qemu drivers need a resources.${QEMU_RESOURCE} block (machine, kernel, nv)`,
      });
    }
    const parsed = qemuBoardSchema.safeParse(settings);
    if (!parsed.success) {
      throw new ConfigError(
        parsed.error.issues.map((issue) => ({
          ...where,
          field: ['resources', QEMU_RESOURCE, ...issue.path].join('.'),
          message: issue.message,
        })),
      );
    }
    const options = parsed.data;
    const stateDir = qemuStateDir(options, ctx.rigDir, ctx.stateRoot, ctx.rigName);
    // Files in `args` are relative to the rig file, as `kernel` is; QEMU would take them from hil's working directory.
    return new QemuBoard(
      { ...options, args: resolveQemuArgs(options.args, ctx.rigDir) },
      { rigName: ctx.rigName, rigDir: ctx.rigDir, stateDir, timeline: ctx.timeline, log: ctx.log },
    );
  });
  // A board kept from an earlier case of the run reports to this one.
  board.bind(ctx.timeline, ctx.log);
  return board;
}
