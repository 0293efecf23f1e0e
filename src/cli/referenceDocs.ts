import { z } from 'zod';
import { imageSchema } from '../config/imageSchema.js';
import { formatDuration } from '../core/duration.js';
import { layoutSchema } from '../flash/layoutSchema.js';
import type { DriverDefinition } from '../protocols/DriverDefinition.js';
import { consoleDrivers } from '../drivers/console/registry.js';
import { outputDrivers } from '../drivers/output/registry.js';
import { powerDrivers } from '../drivers/power/registry.js';
import { probeDrivers } from '../drivers/probe/registry.js';
import { RESOURCE_SCHEMAS, rigFileSchema } from '../rig/RigSpec.js';
import { steps } from '../steps/registry.js';

/**
 * The reference half of docs/rigs.md and all of docs/steps.md, written from the zod schemas the loaders check
 * files against (their `.describe()` texts, defaults and types) and the examples the drivers and steps carry, so
 * the docs cannot drift from what hil accepts. `npm run docs` writes them; test/cli/referenceDocs.test.ts fails
 * when the committed ones are stale.
 */

export const GENERATED_BEGIN = '<!-- BEGIN GENERATED REFERENCE: npm run docs writes this part from the schemas; edit them, not this -->';
export const GENERATED_END = '<!-- END GENERATED REFERENCE -->';

interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  const?: string | number | boolean | null;
  enum?: Array<string | number | boolean | null>;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
}

/** The schema as a file writes it (input side), with the defaults a transform hides from zod's own converter. */
function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const def = ctx.zodSchema._zod.def as { type: string; defaultValue?: unknown };
      if (def.type === 'default' && ctx.jsonSchema.default === undefined) ctx.jsonSchema.default = def.defaultValue;
    },
  }) as JsonSchema;
}

const code = (text: string) => `\`${text}\``;
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function objectMembers(s: JsonSchema): JsonSchema[] {
  return [s, ...(s.anyOf ?? [])].filter((m) => m.properties !== undefined);
}

/** A type in words: `duration`, `string`, `on \| off`, `list of string`, `mapping`. */
function typeOf(s: JsonSchema): string {
  if (s.title) return s.title;
  if (s.const !== undefined) return code(String(s.const));
  if (s.enum) return s.enum.map((v) => code(String(v))).join(' or ');
  if (s.anyOf) return [...new Set(s.anyOf.map(typeOf))].join(' or ');
  if (s.prefixItems) return `[${s.prefixItems.map(typeOf).join(', ')}]`;
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  const words = types.map((t) => {
    if (t === 'array') return `list of ${s.items ? typeOf(s.items) : 'anything'}`;
    if (t === 'object')
      return typeof s.additionalProperties === 'object' ? `mapping of name to ${typeOf(s.additionalProperties)}` : 'mapping';
    return t;
  });
  return words.length ? words.join(' or ') : 'anything';
}

/** A default as a file would write it: `10s` for a duration, `1K` for a size. */
function defaultOf(s: JsonSchema, required: boolean): string {
  const value = s.default;
  if (value === undefined) return required ? 'required' : '';
  if (typeof value === 'number' && s.title === 'duration')
    return code(value >= 3_600_000 && value % 3_600_000 === 0 ? `${value / 3_600_000}h` : formatDuration(value));
  if (typeof value === 'number' && s.title === 'size') return code(value % 1024 === 0 && value > 0 ? `${value / 1024}K` : String(value));
  if (value === '') return code("''");
  return code(typeof value === 'string' ? value : JSON.stringify(value));
}

interface Row {
  key: string;
  type: string;
  default: string;
  description: string;
}

/** One row per key, nested keys as `parent.child`, list items as `parent[].child`, named entries as `parent.NAME.child`. */
function rows(s: JsonSchema, prefix = ''): Row[] {
  const out: Row[] = [];
  for (const member of objectMembers(s)) {
    for (const [key, prop] of Object.entries(member.properties!)) {
      const path = `${prefix}${key}`;
      out.push({
        key: path,
        type: typeOf(prop),
        default: defaultOf(prop, member.required?.includes(key) ?? false),
        // `kind` picks the driver: the section it is in says which.
        description: prop.description ?? (key === 'kind' && prop.const !== undefined ? 'selects this driver' : ''),
      });
      out.push(...nested(prop, path));
    }
  }
  return out;
}

function nested(prop: JsonSchema, path: string): Row[] {
  const out: Row[] = [];
  for (const m of [prop, ...(prop.anyOf ?? [])]) {
    if (m.properties) out.push(...rows(m, `${path}.`));
    if (m.items?.properties || m.items?.anyOf) out.push(...rows(m.items, `${path}[].`));
    if (typeof m.additionalProperties === 'object') {
      const entry = m.additionalProperties;
      out.push(...rows(entry, `${path}.NAME.`));
    }
  }
  return out;
}

function table(list: Row[]): string {
  if (list.length === 0) return '';
  const lines = ['| key | type | default | what |', '| --- | --- | --- | --- |'];
  for (const r of list) lines.push(`| ${code(r.key)} | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.description)} |`);
  return `${lines.join('\n')}\n`;
}

const yamlBlock = (text: string) => `\`\`\`yaml\n${text.trimEnd()}\n\`\`\`\n`;

/** Where a driver's example goes in a rig file. */
function driverExample(role: 'console' | 'power' | 'probe' | 'output', example: string): string {
  return role === 'output' ? `outputs:\n  user: ${example}` : `${role}: ${example}`;
}

function driverSection(role: 'console' | 'power' | 'probe' | 'output', def: DriverDefinition<unknown>): string {
  const parts = [`#### ${code(`kind: ${def.kind}`)}\n`, `${def.description}\n`];
  parts.push(table(rows(jsonSchemaOf(def.schema))));
  if (def.example) parts.push(yamlBlock(driverExample(role, def.example)));
  return parts.join('\n');
}

/** Hand-written examples of the rig file's own blocks (the drivers and steps carry theirs). */
export const RIG_EXAMPLES = {
  top: `name: bench-3
description: NUCLEO-F429ZI on bench 3
labels: [stm32f4, mbed-bootloader]
health: smoke              # scenarios/smoke.yaml: hil rig health runs it
console: { kind: serial, path: /dev/serial/by-id/usb-STMicroelectronics_STM32_STLink_066D-if02 }
power: { kind: usbrelay, relay: HURTM_1 }`,
  qemu: `resources:
  qemu:
    machine: mps2-an385
    kernel: virtual/firmware/build/bootrom.bin
    nv: [{ id: nv, size: 16M, address: 0x21000000 }]
    serials: 2
    gpioSerial: 1
    powerCycle: reset`,
  layout: `layout:
  flash: { base: 0x08000000, banks: 2, sectors: [[4, 16K], [1, 64K], [7, 128K]] }
  external: { qspi: { base: 0x90000000, sectors: [[1024, 64K]], page: 256 } }
  regions:
    bootloader: [0x0, 32K]
    app: { offset: 0x8400, size: ..., role: app }
    factory: { device: qspi, offset: 0x0, size: 1M, role: factory }`,
  images: `images:
  bootloader: build/bootloader.elf
  app: { path: build/app.bin, address: 0x08008400 }
  upgrade: { path: build/upgrade.img, region: secondary }`,
};

/** The generated part of docs/rigs.md: every key of the rig file, of every driver kind and of every resource. */
export function rigReference(): string {
  const out: string[] = [GENERATED_BEGIN, '', '## Reference: every key of a rig file', ''];
  out.push('Types: a `duration` is `120ms`, `5s`, `2m` or a bare number of ms; a `size` is a number, hex (`0x8000`) or');
  out.push('`32K`/`1M`/`1G`; an `address` is a number or hex. `required` keys have no default.', '');
  out.push('### Top level', '', table(rows(jsonSchemaOf(rigFileSchema))), yamlBlock(RIG_EXAMPLES.top));
  const roles = [
    ['console', 'console', consoleDrivers.all()],
    ['power', 'power', powerDrivers.all()],
    ['probe', 'probe', probeDrivers.all()],
    ['outputs', 'output', outputDrivers.all()],
  ] as const;
  for (const [key, role, defs] of roles) {
    out.push(`### ${code(key)}`, '');
    if (role === 'power')
      out.push(`One of these, or any output kind (${outputDrivers.kinds().map(code).join(', ')}): a relay switching the supply.`, '');
    if (role === 'output')
      out.push('Named outputs (`user`, `boot0`, ...), each of one of these kinds; any of them can also be `power:`.', '');
    for (const def of defs) out.push(driverSection(role, def as DriverDefinition<unknown>));
  }
  for (const [name, schema] of Object.entries(RESOURCE_SCHEMAS)) {
    out.push(`### ${code(`resources.${name}`)}`, '', `${schema.description ?? ''}\n`, table(rows(jsonSchemaOf(schema))));
    if (name === 'qemu') out.push(yamlBlock(RIG_EXAMPLES.qemu));
  }
  out.push(
    '### `layout`',
    '',
    `${layoutSchema.description ?? ''}\n`,
    table(rows(jsonSchemaOf(layoutSchema))),
    yamlBlock(RIG_EXAMPLES.layout),
  );
  out.push('### `images`', '', 'Each image by its name:', '', table(rows(jsonSchemaOf(imageSchema))), yamlBlock(RIG_EXAMPLES.images));
  out.push(GENERATED_END);
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

/** docs/steps.md: every step, its forms and keys, and an example. */
export function stepReference(): string {
  const out = [
    GENERATED_BEGIN,
    '',
    "Every step a scenario's `steps:` may hold, written from the schemas `hil validate` checks them against. Each",
    "step also takes `timeout:` (a duration; the default is the step's own) and `name:`; a value may be a `${param}`",
    'placeholder. How they fit together: [scenarios.md](scenarios.md); what they wait for: [expectations.md](expectations.md).',
    '',
  ];
  for (const step of steps.values()) {
    out.push(`## ${code(step.key)}`, '', `${step.description}.`, '');
    const js = jsonSchemaOf(step.schema);
    const forms = js.anyOf ?? [js];
    out.push('| form | what |', '| --- | --- |');
    for (const form of forms)
      out.push(`| ${cell(formOf(step.key, form))} | ${cell(form.description ?? (form.properties ? 'with the keys below' : ''))} |`);
    out.push('');
    // A key several forms share (inspect's region) is listed once, as its first form says it.
    const keys = forms.flatMap((f) => rows(f)).filter((row, i, all) => all.findIndex((r) => r.key === row.key) === i);
    if (keys.length) out.push(table(keys));
    if (step.example) out.push(yamlBlock(step.example));
  }
  out.push(GENERATED_END);
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

/** One form of a step as written: `power: on`, `wait: { state, timeout }`. */
function formOf(key: string, form: JsonSchema): string {
  if (form.properties) {
    const keys = Object.keys(form.properties).map((k) => (form.required?.includes(k) ? k : `${k}?`));
    return code(`${key}: { ${keys.join(', ')} }`);
  }
  if (form.type === 'array') return code(`${key}: [${form.items ? typeOf(form.items) : ''}, ...]`);
  return `${code(`${key}:`)} ${typeOf(form)}`;
}

/** The committed document with its generated part replaced; the text outside the markers is kept as written. */
export function withGenerated(document: string | undefined, generated: string, title: string): string {
  if (document === undefined) return `# ${title}\n\n${generated}`;
  const begin = document.indexOf(GENERATED_BEGIN);
  const end = document.indexOf(GENERATED_END);
  if (begin === -1 || end === -1) return `${document.trimEnd()}\n\n${generated}`;
  return document.slice(0, begin) + generated.trimEnd() + document.slice(end + GENERATED_END.length);
}
