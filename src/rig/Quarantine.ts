import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateRoot } from '../core/stateRoot.js';

/** `quarantine/<rig>.json` in the state root (see stateRoot): a rig's run of consecutive errors, and whether it is out of service. */
export interface RigHealth {
  rig: string;
  /** Cases in a row (across runs) that ended in a rig error after their retries. */
  consecutiveErrors: number;
  lastError?: string;
  /** Set once `consecutiveErrors` reached the limit: later runs skip the rig until `hil rig check` passes. */
  quarantinedAt?: string;
}

export const DEFAULT_QUARANTINE_AFTER = 3;

/**
 * A rig that keeps erroring (a dead probe, a relay stuck) would turn every nightly into a wall of red that says
 * nothing about the firmware; after N errors in a row it is taken out of service until a person fixes it and
 * `hil rig check` says so. A case where the board answered (pass or fail) proves the rig works and resets the count.
 */
export class Quarantine {
  readonly dir: string;
  constructor(projectRoot: string) {
    this.dir = join(stateRoot(projectRoot), 'quarantine');
  }

  private file(rig: string): string {
    return join(this.dir, `${rig}.json`);
  }

  read(rig: string): RigHealth | undefined {
    try {
      return JSON.parse(readFileSync(this.file(rig), 'utf8')) as RigHealth;
    } catch {
      return undefined;
    }
  }

  /** The state when the rig is quarantined. */
  quarantined(rig: string): RigHealth | undefined {
    const state = this.read(rig);
    return state?.quarantinedAt ? state : undefined;
  }

  /** Counts one case's final outcome; returns the state when this outcome put the rig in quarantine. */
  record(rig: string, outcome: 'pass' | 'fail' | 'error', message: string | undefined, after: number): RigHealth | undefined {
    if (outcome !== 'error') {
      // Only `hil rig check` (or `hil rig health`) ends a quarantine; a pass resets the count of a rig in service.
      const state = this.read(rig);
      if (state?.consecutiveErrors && !state.quarantinedAt) this.clear(rig);
      return undefined;
    }
    const previous = this.read(rig);
    const state: RigHealth = {
      rig,
      consecutiveErrors: (previous?.consecutiveErrors ?? 0) + 1,
      lastError: message,
      quarantinedAt: previous?.quarantinedAt,
    };
    const newly = !state.quarantinedAt && after > 0 && state.consecutiveErrors >= after;
    if (newly) state.quarantinedAt = new Date().toISOString();
    this.write(state);
    return newly ? state : undefined;
  }

  clear(rig: string): void {
    try {
      unlinkSync(this.file(rig));
    } catch {
      // Nothing recorded.
    }
  }

  private write(state: RigHealth): void {
    mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.file(state.rig)}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(tmp, this.file(state.rig));
  }
}
