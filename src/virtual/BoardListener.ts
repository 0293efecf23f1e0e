/** The UARTs of a board that is about to run. */
interface PoweringBoard {
  /** The pty of UART `index` for this power-on, or undefined when that UART is not a pty. */
  serialPath(index: number): string | undefined;
}

export interface BoardListener {
  /** Power is coming up; the guest has not run yet. Awaited before `cont`, so nothing the board prints is lost. */
  powering?(board: PoweringBoard): Promise<void>;
  /**
   * Power went away: cut by hil (`reason` "power off") or the emulator died on its own. `rigFault`: QEMU went
   * away neither by hil's cut nor by the guest's doing (a crash, a kill from outside, its lifetime bound): the
   * rig's fault, never the board's.
   */
  unpowered?(info: Unpowered): Promise<void> | void;
}

export interface Unpowered {
  t: number;
  reason: string;
  rigFault?: boolean;
  /**
   * powerCycle reset: the UARTs stay (the same ptys serve the next power-on). Per UART, how many bytes QEMU had
   * written to it in this power-on when the CPU stopped: a console has everything from before the cut once it
   * has read that many since the power-on.
   */
  uartBytes?: ReadonlyMap<number, number>;
}
