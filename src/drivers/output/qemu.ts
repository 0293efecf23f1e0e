import { z } from 'zod';
import type { DriverContext } from '../../protocols/DriverContext.js';
import { defineDriver } from '../../protocols/DriverDefinition.js';
import { outputCommon } from '../../protocols/DigitalOutput.js';
import { LevelOutput, type LevelOutputCommon } from '../support/LevelOutput.js';
import { RigError } from '../../core/errors.js';
import { withCheck } from '../../protocols/DriverCheck.js';
import { GPIO_LINES } from '../../virtual/GpioLines.js';
import type { QemuBoard } from '../../virtual/QemuBoard.js';
import { qemuBoardFor } from '../../virtual/qemuBoardFor.js';

/** An input line of the emulated board (line 0 is the USER button), driven over its GPIO UART. */
export class QemuOutput extends LevelOutput {
  constructor(
    private readonly board: QemuBoard,
    private readonly line: number,
    common: LevelOutputCommon,
    ctx: DriverContext,
  ) {
    super(common, ctx);
  }

  get description(): string {
    return `${this.board.description} GPIO line ${this.line}`;
  }

  protected async write(high: boolean): Promise<void> {
    gpioUart(this.board, this.ctx.part);
    await this.board.gpio.set(this.line, high);
  }
}

function gpioUart(board: QemuBoard, part: string): number {
  const uart = board.options.gpioSerial;
  if (uart === null) throw new RigError(part, 'the virtual board has no GPIO UART (resources.qemu.gpioSerial is null)');
  return uart;
}

const definition = defineDriver({
  kind: 'qemu',
  example: '{ kind: qemu, line: 0 }',
  description: 'an input line of the virtual board (resources.qemu), e.g. line 0 = USER button; kept across power cycles',
  schema: z.strictObject({
    kind: z.literal('qemu'),
    line: z
      .number()
      .int()
      .min(0)
      .max(GPIO_LINES - 1)
      .describe("the GPIO line on the board's GPIO UART (resources.qemu.gpioSerial)"),
    active: outputCommon.active,
    settle: outputCommon.settle,
  }),
  create: ({ line, active, settle }, ctx) => new QemuOutput(qemuBoardFor(ctx), line, { active, settle }, ctx),
});

export const qemuOutputDriver = withCheck(
  definition,
  async ({ line }, ctx) => `GPIO line ${line} on UART${gpioUart(qemuBoardFor(ctx), ctx.part)}`,
);
