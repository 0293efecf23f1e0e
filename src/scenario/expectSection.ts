import { z } from 'zod';
import type { ConfigIssue } from '../core/errors.js';
import { namedGroups } from '../expect/Classifier.js';
import type { ExpectationSpec } from '../expect/ExpectationModel.js';
import { parseModel } from '../expect/parseModel.js';
import { isRunnerEvent } from '../expect/runnerEvents.js';
import { compilePattern } from '../config/pattern.js';
import type { FieldPath, YamlFile } from '../config/YamlFile.js';

/**
 * A pattern: its regex, or `{ pattern, prompt: true }` for one that also matches the console's tail before its
 * line ends (a prompt such as `=> $` never gets a newline).
 */
const patternSchema = z.union([z.string(), z.strictObject({ pattern: z.string(), prompt: z.boolean().default(false) })]);

/** A scenario's `expect:`, or a model file on its own: console patterns, forbidden lines, the model. */
export const expectSchema = z.strictObject({
  patterns: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'pattern names are UPPER_CASE model events'), patternSchema).default({}),
  forbidden: z.array(z.string()).default([]),
  model: z.record(z.string(), z.unknown()),
});

/**
 * Compiles the patterns and parses the model of an `expect:` section found at `at` in `yaml`; pushes located
 * issues and returns undefined when the model is unusable.
 */
export function buildExpectation(yaml: YamlFile, at: FieldPath, section: z.infer<typeof expectSchema>, issues: ConfigIssue[]) {
  const patterns: Array<ExpectationSpec['patterns'][number]> = [];
  for (const [name, entry] of Object.entries(section.patterns)) {
    if (isRunnerEvent(name)) {
      issues.push(yaml.issue([...at, 'patterns', name], `${name} is a runner event; give the pattern another name`, { key: true }));
      continue;
    }
    const { source, prompt, where } =
      typeof entry === 'string'
        ? { source: entry, prompt: false, where: [] }
        : { source: entry.pattern, prompt: entry.prompt, where: ['pattern'] };
    const regex = compilePattern(source, (message) => issues.push(yaml.issue([...at, 'patterns', name, ...where], message)));
    if (regex) patterns.push(prompt ? { name, regex, prompt } : { name, regex });
  }
  const forbidden: Array<ExpectationSpec['forbidden'][number]> = [];
  section.forbidden.forEach((source, i) => {
    const regex = compilePattern(source, (message) => issues.push(yaml.issue([...at, 'forbidden', i], message)));
    if (regex) forbidden.push({ source, regex });
  });
  const patternGroups = Object.fromEntries(patterns.map((p) => [p.name, namedGroups(p.regex)]));
  const model = parseModel(section.model, { patternNames: Object.keys(section.patterns), patternGroups });
  for (const problem of model.issues) {
    issues.push(yaml.issue([...at, 'model', ...problem.path], problem.message, { key: problem.key }));
  }
  const spec: ExpectationSpec | undefined = model.tree ? { patterns, forbidden, model: model.tree } : undefined;
  return spec;
}
