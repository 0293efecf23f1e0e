import type { DriverSpec } from './RigSpec.js';
import { driverContext, type RigContext } from './driverContext.js';
import { partDrivers, type PartDrivers } from './partDrivers.js';
import { RigError } from '../core/errors.js';
import { Project } from '../config/Project.js';
import { closable } from './RigSession.js';
import { writableStateRoot } from '../core/stateRoot.js';
import { Timeline } from '../core/Timeline.js';
import { checkOf } from '../protocols/DriverCheck.js';

export interface RigCheckTarget {
  name: string;
  /** Directory of the rig file; relative paths in driver options resolve against it. */
  dir: string;
  console: DriverSpec;
  power: DriverSpec;
  probe?: DriverSpec;
  outputs: Record<string, DriverSpec>;
  resources?: Record<string, unknown>;
}

export interface RigCheckResult {
  /** `console`, `probe`, `power`, `outputs.button`. */
  part: string;
  kind: string;
  ok: boolean;
  message: string;
  /** The tool's own output, when a check failed. */
  detail?: string;
}

export interface RigCheckOptions {
  /** Per part; a check that hangs longer is reported as failed. */
  timeoutMs?: number;
  timeline?: Timeline;
  log?(message: string): void;
  /** Called as each part finishes, so a table can fill in live. */
  onResult?(result: RigCheckResult): void;
  /** hil's state root; default: the current project's (see stateRoot). */
  stateRoot?: string;
}

async function withTimeout<T>(work: Promise<T>, ms: number, part: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RigError(part, `check did not finish within ${ms}ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `hil rig check`: proves each part of a rig is there (console opens, probe tool installed and a probe present,
 * relays reachable) without changing the board's state. Parts are checked one after another, console first,
 * so the table reads in wiring order and two tools never fight over one USB device.
 */
export async function checkRig(rig: RigCheckTarget, options: RigCheckOptions = {}): Promise<RigCheckResult[]> {
  const timeline = options.timeline ?? new Timeline();
  const shared = new Map<string, unknown>();
  const root = options.stateRoot ?? writableStateRoot(new Project().root);
  const parts: Array<[string, DriverSpec, PartDrivers<unknown>]> = [
    ['console', rig.console, partDrivers.console],
    ...(rig.probe ? [['probe', rig.probe, partDrivers.probe] as [string, DriverSpec, PartDrivers<unknown>]] : []),
    ['power', rig.power, partDrivers.power],
    ...Object.entries(rig.outputs).map(
      ([name, spec]) => [`outputs.${name}`, spec, partDrivers.output] as [string, DriverSpec, PartDrivers<unknown>],
    ),
  ];
  const context: RigContext = {
    rigName: rig.name,
    rigDir: rig.dir,
    stateRoot: root,
    timeline,
    resources: rig.resources ?? {},
    log: options.log ?? (() => undefined),
    sharedObjects: shared,
  };
  const results: RigCheckResult[] = [];
  for (const [part, spec, drivers] of parts) {
    const def = drivers.get(spec.kind);
    const check = def && checkOf(def);
    let result: RigCheckResult;
    if (!def) {
      result = { part, kind: spec.kind, ok: false, message: `no driver of kind "${spec.kind}"` };
    } else if (!check) {
      result = { part, kind: spec.kind, ok: true, message: `not checked: the ${spec.kind} driver has no check` };
    } else {
      try {
        const message = await withTimeout(check(spec.options, driverContext(context, part)), options.timeoutMs ?? 60_000, part);
        result = { part, kind: spec.kind, ok: true, message };
      } catch (err) {
        const rigError = err instanceof RigError ? err : undefined;
        result = { part, kind: spec.kind, ok: false, message: (err as Error).message, detail: rigError?.detail };
      }
    }
    timeline.record('rig-check', { ...result });
    options.onResult?.(result);
    results.push(result);
  }
  // What the checks shared (the virtual board and its paused QEMU) is released: a check leaves nothing running.
  for (const object of closable(shared)) await object.close().catch(() => undefined);
  return results;
}
