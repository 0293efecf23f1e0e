import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadRig, type RigSpec } from '../../src/rig/RigSpec.js';
import type { Console, ConsoleLine } from '../../src/protocols/Console.js';
import { consoleDrivers } from '../../src/drivers/console/registry.js';
import type { DriverContext } from '../../src/protocols/DriverContext.js';
import type { Power } from '../../src/protocols/Power.js';
import { powerDrivers } from '../../src/drivers/power/registry.js';
import type { Probe } from '../../src/protocols/Probe.js';
import { probeDrivers } from '../../src/drivers/probe/registry.js';
import { closable } from '../../src/rig/RigSession.js';
import { Timeline } from '../../src/core/Timeline.js';
import { qemuBoardSchema } from '../../src/virtual/QemuBoardOptions.js';
import { processesMentioning } from '../helpers/processes.js';
import { until } from '../helpers/until.js';

/** The shipped rigs/virtual.yaml, through the real loader and registries, with its state in a temp dir. */
describe('rigs/virtual.yaml on the qemu drivers', () => {
  let spec: RigSpec;
  let stateDir: string;
  beforeAll(async () => {
    spec = loadRig(resolve(import.meta.dirname, '../../rigs/virtual.yaml'));
    stateDir = await mkdtemp(join(tmpdir(), 'hil-virtual-rigfile-'));
  });
  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('is a valid board description', () => {
    expect(qemuBoardSchema.safeParse(spec.resources['qemu']).error?.issues).toBeUndefined();
    expect([spec.console.kind, spec.power.kind, spec.probe?.kind, spec.outputs['user']?.kind]).toEqual(['qemu', 'qemu', 'qemu', 'qemu']);
  });

  it('flashes its bootloader and factory image and boots to the bootloader banner', async () => {
    const shared = new Map<string, unknown>();
    const resources = spec.resources;
    const context = (part: string): DriverContext => ({
      rigName: spec.name,
      rigDir: spec.dir,
      stateRoot: stateDir,
      part,
      timeline: new Timeline(),
      resources,
      log: () => undefined,
      shared: <T>(key: string, create: () => T): T => {
        if (!shared.has(key)) shared.set(key, create());
        return shared.get(key) as T;
      },
    });
    const make = <T>(def: { create(o: unknown, c: DriverContext): T } | undefined, options: unknown, part: string) =>
      def!.create(options, context(part));
    const power = make(powerDrivers.get('qemu'), spec.power.options, 'power') as Power;
    const console = make(consoleDrivers.get('qemu'), spec.console.options, 'console') as Console;
    const probe = make(probeDrivers.get('qemu'), spec.probe!.options, 'probe') as Probe;
    const lines: ConsoleLine[] = [];
    console.subscribe({ line: (l) => lines.push(l) });
    const image = (name: string) => ({ name, ...spec.images[name]! });
    await probe.flash([image('bootloader'), image('factory')], { verify: true });
    await console.open();
    try {
      await power.on();
      await until('banner', () => lines.length > 0);
      expect(lines[0]!.text).toBe('[INF] MCUboot Bootloader Started');
    } finally {
      await console.close();
      await power.close();
      for (const object of closable(shared)) await object.close();
    }
    expect(processesMentioning(stateDir)).toEqual([]);
  });
});
