import type { Timeline } from '../core/Timeline.js';
import { GdbMi } from '../gdb/GdbMi.js';

/**
 * A board's debugger process (gdb over MI), started on first use and again after one was killed; it outlives the
 * QEMU processes it connects to and is closed with the board.
 */
export class BoardGdb {
  private starting?: Promise<GdbMi>;

  constructor(private readonly options: { timeline: () => Timeline; lifetimeMs: number }) {}

  get(gdb: string, part: string): Promise<GdbMi> {
    this.starting ??= GdbMi.start({ part, gdb, timeline: this.options.timeline(), lifetimeMs: this.options.lifetimeMs });
    const starting = this.starting;
    return starting.then(
      (mi) => {
        if (mi.alive) return mi;
        if (this.starting === starting) this.starting = undefined;
        return this.get(gdb, part);
      },
      (err: unknown) => {
        if (this.starting === starting) this.starting = undefined;
        throw err;
      },
    );
  }

  async close(): Promise<void> {
    const gdb = this.starting;
    this.starting = undefined;
    await (await gdb?.catch(() => undefined))?.close();
  }
}
