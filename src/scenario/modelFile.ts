import { ConfigError, type ConfigIssue } from '../core/errors.js';
import type { ExpectationSpec } from '../expect/ExpectationModel.js';
import { parseAt } from '../config/zodIssues.js';
import { YamlFile } from '../config/YamlFile.js';
import { buildExpectation, expectSchema } from './expectSection.js';

/**
 * An expectation model in a file of its own: what a scenario's `expect:` holds (`patterns`, `forbidden`,
 * `model`) at the top level, for a test written in code to run alongside the board.
 */
export function loadModelFile(file: string, cwd?: string): ExpectationSpec {
  const yaml = YamlFile.read(file, cwd);
  const issues: ConfigIssue[] = [];
  const section = parseAt(yaml, [], expectSchema, yaml.data, issues);
  const spec = section && buildExpectation(yaml, [], section, issues);
  if (issues.length || !spec) throw new ConfigError(issues);
  return spec;
}
