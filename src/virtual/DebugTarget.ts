/** A debugger's view of the board, for the probe. */
export interface DebugTarget {
  /** `host:port` of QEMU's gdbstub. */
  gdb: string;
  /**
   * false: the board is off and this is the QEMU its next power-on will use, paused. Either way a debugger
   * leaves with a disconnect, never a detach or a continue (either would let a stopped guest run, and write its
   * flash): the board resumes a powered CPU itself when the debugger is done.
   */
  powered: boolean;
  /**
   * The debugger lets the CPU run (true: a breakpoint is armed and gdb resumes after every stop it does not
   * report) or has it halted (false). While it runs the CPU, a power cut kills QEMU even with powerCycle reset: a
   * stopped CPU would be resumed by gdb's next automatic continue.
   */
  debuggerRuns(running: boolean): void;
  /**
   * The debugger hands the halted CPU on (to a person's debugger: `hil debug`): when it is done, the board leaves
   * the CPU halted instead of resuming it, and its gdbstub is free for the next debugger to connect.
   */
  keepHalted(): void;
}
