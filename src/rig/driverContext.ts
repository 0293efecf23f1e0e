import type { DriverContext } from '../protocols/DriverContext.js';

/** What every driver of one rig is made with: a DriverContext but the part, and the map its shared objects live in. */
export type RigContext = Omit<DriverContext, 'part' | 'shared'> & { sharedObjects: Map<string, unknown> };

/** The context the driver of one part is made with; a shared object is created once per map. */
export function driverContext(rig: RigContext, part: string): DriverContext {
  const { sharedObjects, ...fields } = rig;
  return {
    ...fields,
    part,
    shared: <T>(key: string, create: () => T): T => {
      if (!sharedObjects.has(key)) sharedObjects.set(key, create());
      return sharedObjects.get(key) as T;
    },
  };
}
