import { z } from 'zod';
import { defineDriver } from '../../protocols/DriverDefinition.js';
import type { Power, PowerState } from '../../protocols/Power.js';
import { withCheck } from '../../protocols/DriverCheck.js';
import type { QemuBoard } from '../../virtual/QemuBoard.js';
import { qemuBoardFor } from '../../virtual/qemuBoardFor.js';

/**
 * Power of the emulated board. powerCycle restart: on starts a QEMU process, off SIGKILLs it. reset: off stops
 * the CPU at once, on clears RAM, resets and runs the same QEMU. Either way the flash keeps exactly what was
 * written before the cut.
 */
export class QemuPower implements Power {
  constructor(
    private readonly board: QemuBoard,
    private readonly part: string,
  ) {}

  get description(): string {
    return `${this.board.description} power (${this.board.options.powerCycle === 'reset' ? 'CPU stop / RAM cleared and reset' : 'process start / SIGKILL'})`;
  }

  on(): Promise<void> {
    return this.board.powerOn(this.part);
  }

  off(): Promise<void> {
    return this.board.powerOff(this.part);
  }

  checkRunning(): Promise<void> {
    return this.board.checkResponsive(this.part);
  }

  state(): PowerState {
    return this.board.powered ? 'on' : 'off';
  }

  /**
   * Leaves the board off. The board itself (its paused next QEMU, its gdb) belongs to whoever shares it: the
   * session, or the run that keeps it between cases; they close it.
   */
  close(): Promise<void> {
    return this.board.powerOff(this.part);
  }
}

export const qemuPowerDriver = withCheck(
  defineDriver({
    kind: 'qemu',
    example: '{ kind: qemu }',
    description: 'the virtual board (resources.qemu): power off kills QEMU or stops its CPU (powerCycle), power on starts or resets it',
    schema: z.strictObject({ kind: z.literal('qemu') }),
    create: (_options, ctx) => new QemuPower(qemuBoardFor(ctx), ctx.part),
  }),
  // Starting QEMU paused proves the machine, the kernel and the flash images without running the guest.
  async (_options, ctx) => {
    const board = qemuBoardFor(ctx);
    return board.withDebugger(ctx.part, async (target) =>
      target.powered
        ? `${board.description} is running`
        : `${board.description} starts (kernel and flash accepted; flash kept in ${board.stateDir})`,
    );
  },
);
