import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { GENERATED_BEGIN, GENERATED_END, RIG_EXAMPLES, rigReference, stepReference, withGenerated } from '../../src/cli/referenceDocs.js';
import { consoleDrivers } from '../../src/drivers/console/registry.js';
import { outputDrivers } from '../../src/drivers/output/registry.js';
import { powerDrivers } from '../../src/drivers/power/registry.js';
import { probeDrivers } from '../../src/drivers/probe/registry.js';
import { steps } from '../../src/steps/registry.js';
import { imageSchema } from '../../src/config/imageSchema.js';
import { layoutSchema } from '../../src/flash/layoutSchema.js';
import { checkLayout } from '../../src/flash/layoutRules.js';
import { rigFileSchema } from '../../src/rig/RigSpec.js';
import { qemuBoardSchema } from '../../src/virtual/QemuBoardOptions.js';
import { ROOT } from '../helpers/hilCli.js';

/** The reference docs are written from the schemas (npm run docs): they must be what the schemas say now. */
const committed = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('the generated reference docs', () => {
  it.each([
    ['docs/rigs.md', rigReference, 'Rig files'],
    ['docs/steps.md', stepReference, 'Steps reference'],
  ] as const)('%s is up to date with the schemas (run npm run docs when this fails)', (file, generate, title) => {
    const text = committed(file);
    expect(text).toContain(GENERATED_BEGIN);
    expect(withGenerated(text, generate(), title)).toBe(text);
  });

  it('keeps the hand-written prose outside the markers', () => {
    const doc = `# T\n\nprose before\n\n${GENERATED_BEGIN}\nold\n${GENERATED_END}\n\nprose after\n`;
    expect(withGenerated(doc, `${GENERATED_BEGIN}\nnew\n${GENERATED_END}\n`, 'T')).toBe(
      `# T\n\nprose before\n\n${GENERATED_BEGIN}\nnew\n${GENERATED_END}\n\nprose after\n`,
    );
    expect(withGenerated(undefined, 'body\n', 'T')).toBe('# T\n\nbody\n');
  });

  it('describes every key of every driver, resource, layout and step', () => {
    const undocumented = [rigReference(), stepReference()]
      .flatMap((doc) => doc.split('\n'))
      .filter((line) => /^\| `[^`]+` \|/.test(line) && line.endsWith('|  |'));
    expect(undocumented).toEqual([]);
  });

  it('lists every driver kind and every step', () => {
    const rigs = rigReference();
    for (const registry of [consoleDrivers, powerDrivers, probeDrivers, outputDrivers])
      for (const kind of registry.kinds()) expect(rigs).toContain(`#### \`kind: ${kind}\``);
    for (const key of steps.keys()) expect(stepReference()).toContain(`## \`${key}\``);
  });

  it('gives every driver an example its schema accepts', () => {
    for (const registry of [consoleDrivers, powerDrivers, probeDrivers, outputDrivers]) {
      for (const def of registry.all()) {
        expect([def.kind, def.example !== undefined]).toEqual([def.kind, true]);
        const result = def.schema.safeParse(parse(def.example!));
        expect([registry.role, def.kind, result.error?.issues ?? []]).toEqual([registry.role, def.kind, []]);
      }
    }
  });

  it('gives every step an example its schema accepts, item by item', () => {
    for (const step of steps.values()) {
      expect([step.key, step.example !== undefined]).toEqual([step.key, true]);
      const items = parse(step.example!) as Array<Record<string, unknown>>;
      expect(items.length).toBeGreaterThan(0);
      for (const item of items) {
        expect(Object.keys(item)).toEqual([step.key]);
        const result = step.schema.safeParse(item[step.key]);
        expect([step.key, item, result.error?.issues ?? []]).toEqual([step.key, item, []]);
      }
    }
  });

  it('has rig-file examples their schemas accept', () => {
    const top = rigFileSchema.safeParse(parse(RIG_EXAMPLES.top));
    expect(top.error?.issues ?? []).toEqual([]);
    const qemu = qemuBoardSchema.safeParse((parse(RIG_EXAMPLES.qemu) as { resources: { qemu: unknown } }).resources.qemu);
    expect(qemu.error?.issues ?? []).toEqual([]);
    const layout = layoutSchema.parse((parse(RIG_EXAMPLES.layout) as { layout: unknown }).layout);
    expect(checkLayout(layout)).toEqual([]);
    for (const image of Object.values((parse(RIG_EXAMPLES.images) as { images: Record<string, unknown> }).images))
      expect(imageSchema.safeParse(image).error?.issues ?? []).toEqual([]);
  });
});
