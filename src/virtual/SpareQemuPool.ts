import type { Timeline } from '../core/Timeline.js';
import type { QemuBoardOptions } from './QemuBoardOptions.js';
import { fileIdentity, type QemuInstance } from './QemuInstance.js';

/**
 * The QEMU the board's next power-on will run, waiting paused. powerCycle restart: a new QEMU started ahead as
 * soon as the board is on; powerCycle reset: the stopped QEMU of the last power-off.
 */
export class SpareQemuPool {
  private spare?: QemuInstance;
  private starting?: Promise<QemuInstance | undefined>;

  constructor(
    private readonly options: QemuBoardOptions,
    private readonly spawn: (part: string) => Promise<QemuInstance | undefined>,
    private readonly timeline: () => Timeline,
  ) {}

  /** `instance` is the spare now. */
  keep(instance: QemuInstance): void {
    this.spare = instance;
  }

  /** A stopped QEMU becomes the spare; the one it replaces is killed. */
  replace(instance: QemuInstance): void {
    const older = this.spare;
    this.spare = instance;
    older?.process.kill();
  }

  /** `instance` is gone: it is no longer the spare if it was. */
  forget(instance: QemuInstance): void {
    if (this.spare === instance) this.spare = undefined;
  }

  /**
   * Starts the next power-on's QEMU in the background, unless one is there or coming. Never with `drives`: QEMU
   * reads a drive image once, when it starts, so a QEMU started now would show the next power-on the flash as it
   * is now, without what this one writes (memory-backend files are mapped shared: a spare sees every write).
   */
  prepare(part: string): void {
    if (this.options.powerCycle === 'reset' || this.options.drives.length > 0 || this.spare?.process.running || this.starting) return;
    const starting: Promise<QemuInstance | undefined> = this.spawn(part).then(
      (instance) => {
        this.spare = instance;
        return instance;
      },
      (err: unknown) => {
        // The power-on that needs it starts its own QEMU and reports the error where it belongs.
        this.timeline().record('qemu', { phase: 'spare-failed', part, error: (err as Error).message });
        return undefined;
      },
    );
    this.starting = starting;
    void starting.finally(() => {
      if (this.starting === starting) this.starting = undefined;
    });
  }

  /** The spare, if there is one still running on the rig's current flash files; it stops being the spare. */
  async take(): Promise<QemuInstance | undefined> {
    await this.starting;
    const spare = this.spare;
    this.spare = undefined;
    if (!spare?.process.running) return undefined;
    // A QEMU serving power cycles retires halfway to its lifetime bound, never in the middle of a case.
    const young = performance.now() - spare.startedAt < this.options.lifetime / 2;
    if (young && spare.files === (await fileIdentity(spare.paths))) return spare;
    // Retired, or the flash file was replaced under it (deleted, copied over) and it maps the old one.
    spare.process.kill();
    await spare.down;
    return undefined;
  }
}
