import type { RigSpec } from './RigSpec.js';
import { closable } from './RigSession.js';

/**
 * What a run keeps of each rig between its cases (the virtual board with its paused next QEMU and its gdb), so a
 * case does not pay for emulator and debugger start-ups the one before already paid for. Kept only while the run
 * holds the rig's lease; closed when it lets the rig go, at the run's end, and after a rig error.
 */
export class KeptRigs {
  private readonly rigs = new Map<string, { rig: string; objects: Map<string, unknown> }>();

  of(rig: RigSpec, instance: string | undefined): Map<string, unknown> {
    const key = keyOf(rig, instance);
    let entry = this.rigs.get(key);
    if (!entry) this.rigs.set(key, (entry = { rig: rig.name, objects: new Map() }));
    return entry.objects;
  }

  async close(rig: RigSpec, instance: string | undefined): Promise<void> {
    const key = keyOf(rig, instance);
    const entry = this.rigs.get(key);
    this.rigs.delete(key);
    if (entry) await closeAll(entry.objects);
  }

  /** Every copy of the rig `name` (`virtual`, `virtual#2`, ...). */
  async closeRig(name: string): Promise<void> {
    for (const [key, entry] of this.rigs) {
      if (entry.rig !== name) continue;
      this.rigs.delete(key);
      await closeAll(entry.objects);
    }
  }

  async closeAll(): Promise<void> {
    const entries = [...this.rigs.values()];
    this.rigs.clear();
    await Promise.all(entries.map((e) => closeAll(e.objects)));
  }
}

/** A copy of a rig: its file's folder and its name, or the copy's (`virtual#2`). */
function keyOf(rig: RigSpec, instance: string | undefined): string {
  return `${rig.dir}\0${instance ?? rig.name}`;
}

async function closeAll(objects: Map<string, unknown>): Promise<void> {
  for (const object of closable(objects)) await object.close().catch(() => undefined);
}
