import type { RigSpec, DriverSpec } from './RigSpec.js';
import { driverContext, type RigContext } from './driverContext.js';
import { partDrivers, type PartDrivers } from './partDrivers.js';
import type { DigitalOutput } from '../protocols/DigitalOutput.js';
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

  constructor(
    readonly spec: RigSpec,
    options: RigSessionOptions,
  ) {
    this.sharedObjects = options.kept ?? new Map<string, unknown>();
    this.ownsShared = options.kept === undefined;
    const root = options.stateRoot ?? writableStateRoot(new Project().root);
    const rig: RigContext = {
      rigName: options.instance ?? spec.name,
      rigDir: spec.dir,
      stateRoot: root,
      timeline: options.timeline,
      log: options.log,
      resources: spec.resources,
      sharedObjects: this.sharedObjects,
    };
    const make = <T>(drivers: PartDrivers<T>, driver: DriverSpec, part: string): T => {
      const def = drivers.get(driver.kind);
      if (!def) throw new RigError(part, `no ${drivers.role} driver "${driver.kind}"`);
      return def.create(driver.options, driverContext(rig, part));
    };
    const power = make(partDrivers.power, spec.power, 'power');
    const outputs = new Map<string, DigitalOutput>();
    for (const [name, driver] of Object.entries(spec.outputs)) outputs.set(name, make(partDrivers.output, driver, `outputs.${name}`));
    this.handles = {
      name: spec.name,
      console: make(partDrivers.console, spec.console, 'console'),
      power,
      outputs,
      probe: spec.probe ? make(partDrivers.probe, spec.probe, 'probe') : undefined,
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
