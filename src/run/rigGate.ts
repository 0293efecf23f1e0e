import type { Quarantine } from '../rig/Quarantine.js';
import { leaseDir, RigLease } from '../rig/RigLease.js';
import { RigError } from '../core/errors.js';
import { outcome, type Outcome } from '../core/outcome.js';

/** Why a rig's cases cannot run: quarantined, or its lease not to be had. */
export interface Blocked {
  status: Outcome['status'];
  message: string;
  properties?: Record<string, string>;
}

/** `ref`: how `hil rig check` finds the rig again (its name, or its file's path when the name does not find it). */
export function quarantineBlock(rig: string, errors: number, since: string, lastError: string | undefined, ref = rig): Blocked {
  return {
    status: 'skipped',
    message: `not run: rig ${rig} is quarantined since ${since} after ${errors} rig errors in a row${lastError ? ` (last: ${lastError})` : ''}; fix it, then \`hil rig check ${ref}\` puts it back in service`,
    properties: { quarantined: 'true' },
  };
}

export interface GateOptions {
  /** How `hil rig check` names the rig in the quarantine hint (default: its name). */
  checkRef?: string;
  /** `hil rig health`: run on a quarantined rig, to find out whether it may come back. */
  ignoreQuarantine?: boolean;
  /** How long to queue for a rig another runner holds; 0 fails at once. */
  waitMs?: number;
  signal: AbortSignal;
  log(message: string): void;
  /** The project root: where the leases live. */
  root: string;
  runId: string;
  quarantine: Quarantine;
  /** The leases this run holds, by rig. */
  leases: Map<string, RigLease>;
}

/** Takes the rig's lease (unless this run holds it already); says why its cases cannot run, if they cannot. */
export async function rigGate(rig: string, o: GateOptions): Promise<Blocked | undefined> {
  const q = o.ignoreQuarantine ? undefined : o.quarantine.quarantined(rig);
  if (q) return quarantineBlock(rig, q.consecutiveErrors, q.quarantinedAt!, q.lastError, o.checkRef);
  if (o.leases.has(rig)) return undefined;
  try {
    o.leases.set(rig, await RigLease.acquire({ dir: leaseDir(o.root), rig, run: o.runId, waitMs: o.waitMs, signal: o.signal, log: o.log }));
    return undefined;
  } catch (error) {
    if (o.signal.aborted) return undefined; // the case loop reports the interruption
    if (error instanceof RigError) return { status: outcome(error).status, message: error.message, properties: { lease: 'busy' } };
    throw error;
  }
}
