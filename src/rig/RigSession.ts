import type { RigSpec, DriverSpec } from './RigSpec.js';
import { consoleDrivers } from '../drivers/console/registry.js';
import type { DriverContext } from '../protocols/DriverContext.js';
import type { DriverRegistry } from '../protocols/DriverRegistry.js';
import { outputPower } from './OutputPower.js';
import type { Power } from '../protocols/Power.js';
import { powerDrivers } from '../drivers/power/registry.js';
import { probeDrivers } from '../drivers/probe/registry.js';
import type { DigitalOutput } from '../protocols/DigitalOutput.js';
import { outputDrivers } from '../drivers/output/registry.js';
import { RigError } from '../core/errors.js';
import type { RigHandles } from './RigHandles.js';
import { Project } from '../config/Project.js';
import { writableStateRoot } from '../core/stateRoot.js';
import type { Timeline } from '../core/Timeline.js';

export interface RigSessionOptions {
  timeline: Timeline;
  /** One of several copies of the rig run side by side (`virtual#2`): the drivers see it as the rig's name, so each copy keeps its own state. */
  instance?: string;
  log(message: string): void;
  /**
   * Where the rig's shared objects live when they outlive the case (a run keeps the virtual board between the
   * cases on one rig); the run closes them. Without it they are the session's, closed with it.
   */
  kept?: Map<string, unknown>;
  /** hil's state root; default: the current project's (see stateRoot). */
  stateRoot?: string;
}

/**
 * The drivers of one rig, created from its spec for one case. Creating a driver touches no hardware;
 * the console is opened and power switched by the case runner.
 */
export class RigSession {
  readonly handles: RigHandles;
  private readonly sharedObjects: Map<string, unknown>;
  private readonly ownsShared: boolean;

  constructor(readonly spec: RigSpec, options: RigSessionOptions) {
    this.sharedObjects = options.kept ?? new Map<string, unknown>();
    this.ownsShared = options.kept === undefined;
    const root = options.stateRoot ?? writableStateRoot(new Project().root);
    const context = (part: string): DriverContext => ({
      rigName: options.instance ?? spec.name,
      rigDir: spec.dir,
      stateRoot: root,
      part,
      timeline: options.timeline,
      log: options.log,
      resources: spec.resources,
      shared: <T>(key: string, create: () => T): T => {
        if (!this.sharedObjects.has(key)) this.sharedObjects.set(key, create());
        return this.sharedObjects.get(key) as T;
      },
    });
    const make = <T>(registry: DriverRegistry<T>, driver: DriverSpec, part: string): T => {
      const def = registry.get(driver.kind);
      if (!def) throw new RigError(part, `no ${registry.role} driver "${driver.kind}"`);
      return def.create(driver.options, context(part));
    };
    const power: Power = powerDrivers.get(spec.power.kind)
      ? make(powerDrivers, spec.power, 'power')
      : outputPower(make(outputDrivers, spec.power, 'power'));
    const outputs = new Map<string, DigitalOutput>();
    for (const [name, driver] of Object.entries(spec.outputs)) outputs.set(name, make(outputDrivers, driver, `outputs.${name}`));
    this.handles = {
      name: spec.name,
      console: make(consoleDrivers, spec.console, 'console'),
      power,
      outputs,
      probe: spec.probe ? make(probeDrivers, spec.probe, 'probe') : undefined,
      images: spec.images,
      regions: spec.regions,
    };
  }

  /** Closes every driver; errors are collected, not thrown, so one stuck part does not keep the others open. */
  async close(): Promise<Error[]> {
    const errors: Error[] = [];
    const parts: Array<{ close(): Promise<void> } | undefined> = [
      ...this.handles.outputs.values(),
      this.handles.probe,
      this.handles.console,
      this.handles.power,
      ...(this.ownsShared ? closable(this.sharedObjects) : []),
    ];
    for (const part of parts) {
      try {
        await part?.close();
      } catch (err) {
        errors.push(err as Error);
      }
    }
    return errors;
  }
}

/** The objects of a shared map that need closing. */
export function closable(objects: Map<string, unknown>): Array<{ close(): Promise<void> }> {
  return [...objects.values()].filter((o): o is { close(): Promise<void> } => typeof (o as { close?: unknown })?.close === 'function');
}
