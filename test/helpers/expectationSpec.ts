import { formatFieldPath } from '../../src/config/YamlFile.js';
import { ConfigError } from '../../src/core/errors.js';
import { namedGroups } from '../../src/expect/Classifier.js';
import type { ExpectationSpec } from '../../src/expect/ExpectationModel.js';
import { namesOf } from '../../src/expect/modelSpec.js';
import type { ModelContext, ModelIssue } from '../../src/expect/ModelTree.js';
import { parseModel } from '../../src/expect/parseModel.js';

/**
 * An `expect:` block given as plain data, parsed the way the scenario loader parses it: a model that does not
 * pass the checks is a ConfigError naming each issue's path inside the model.
 */
export function expectationSpec(spec: {
  patterns: ExpectationSpec['patterns'];
  forbidden: ExpectationSpec['forbidden'];
  model: unknown;
}): ExpectationSpec {
  const patternGroups = Object.fromEntries(spec.patterns.map((p) => [p.name, namedGroups(p.regex)]));
  const { tree, issues } = parseModel(spec.model, { patternNames: spec.patterns.map((p) => p.name), patternGroups });
  if (!tree || issues.length > 0) {
    throw new ConfigError(issues.map((i) => ({ file: 'expect.model', field: formatFieldPath(i.path), message: i.message })));
  }
  return { ...spec, model: tree };
}

/** The issues the loader reports for a model. */
export function checkModel(model: unknown, context: ModelContext): ModelIssue[] {
  return parseModel(model, context).issues;
}

/** Every state name steps may use in a model given as plain data. */
export function stateNames(model: unknown): string[] {
  const { tree } = parseModel(model, { patternNames: [] });
  return tree ? namesOf(tree) : [];
}
