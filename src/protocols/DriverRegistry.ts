import type { DriverDefinition } from './DriverDefinition.js';

/** Drivers of one interface, by `kind`. */
export class DriverRegistry<T> {
  private readonly byKind = new Map<string, DriverDefinition<T>>();
  constructor(readonly role: string) {}

  // Any schema: `create` takes its options contravariantly, so a driver's own schema type would not fit ZodType.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  add(def: DriverDefinition<T, any>): this {
    if (this.byKind.has(def.kind)) throw new Error(`duplicate ${this.role} driver kind ${def.kind}`);
    this.byKind.set(def.kind, def as DriverDefinition<T>);
    return this;
  }

  get(kind: string): DriverDefinition<T> | undefined {
    return this.byKind.get(kind);
  }

  kinds(): string[] {
    return [...this.byKind.keys()];
  }

  all(): DriverDefinition<T>[] {
    return [...this.byKind.values()];
  }
}
