import type { DriverContext } from '../../protocols/DriverContext.js';
import { sleep } from '../../core/sleep.js';
import type { DigitalOutput } from '../../protocols/DigitalOutput.js';

export interface LevelOutputCommon {
  active: 'high' | 'low';
  /** ms, already parsed from the rig file. */
  settle?: number;
}

/**
 * What every relay and line driver shares: `active: low` wiring inverts the level written, and each edge
 * waits the settle time (contact bounce, a supply's rise) before the step goes on.
 */
export abstract class LevelOutput implements DigitalOutput {
  abstract readonly description: string;
  private last?: boolean;

  constructor(
    protected readonly common: LevelOutputCommon,
    protected readonly ctx: DriverContext,
  ) {}

  /** Drives the physical level: `true` = relay energised / line high / port powered. */
  protected abstract write(high: boolean): Promise<void>;

  async set(active: boolean): Promise<void> {
    await this.write(active === (this.common.active === 'high'));
    this.last = active;
    if (this.common.settle) await sleep(this.common.settle);
  }

  level(): boolean | undefined {
    return this.last;
  }

  async close(): Promise<void> {}
}
