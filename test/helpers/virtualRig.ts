import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DriverContext } from '../../src/protocols/DriverContext.js';
import { Timeline } from '../../src/core/Timeline.js';
import { processesMentioning } from './processes.js';
import { buildTestFirmware, NV_BASE, type TestFirmware } from './testFirmware.js';

/** A throwaway virtual rig: its own directory (firmware, state, NV image) and a driver context per part. */
export interface VirtualRig {
  dir: string;
  stateDir: string;
  nvFile: string;
  firmware: TestFirmware;
  timeline: Timeline;
  logs: string[];
  /** Driver contexts sharing one board, as a RigSession's drivers do for one case. */
  session(resources?: Record<string, unknown>): (part: string) => DriverContext;
  /** QEMU processes still running with this rig's files. */
  leftovers(): string[];
  remove(): Promise<void>;
}

export function qemuResources(rig: { firmware: TestFirmware }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    qemu: {
      kernel: rig.firmware.stub,
      nv: [{ id: 'nv', size: '16M', address: NV_BASE }],
      stateDir: 'state',
      lifetime: '2m',
      ...extra,
    },
  };
}

export async function makeVirtualRig(): Promise<VirtualRig> {
  const dir = await mkdtemp(join(tmpdir(), 'hil-virtual-test-'));
  const firmware = await buildTestFirmware(join(dir, 'fw'));
  const timeline = new Timeline();
  const logs: string[] = [];
  const rig: VirtualRig = {
    dir,
    stateDir: join(dir, 'state'),
    nvFile: join(dir, 'state', 'nv.img'),
    firmware,
    timeline,
    logs,
    session: (resources = qemuResources(rig)) => {
      const shared = new Map<string, unknown>();
      return (part) => ({
        rigName: 'virtual-test',
        rigDir: dir,
        stateRoot: join(dir, 'state-root'),
        part,
        timeline,
        resources,
        log: (m) => logs.push(m),
        shared: <T>(key: string, create: () => T): T => {
          if (!shared.has(key)) shared.set(key, create());
          return shared.get(key) as T;
        },
      });
    },
    leftovers: () => processesMentioning(dir).filter((p) => p.includes('qemu-system')),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  return rig;
}
