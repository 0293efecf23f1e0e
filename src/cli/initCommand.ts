import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { suggestion } from '../core/didYouMean.js';
import { ConfigError } from '../core/errors.js';
import { EXIT } from '../core/outcome.js';
import { isFileName } from '../config/fileName.js';
import type { InitOptions } from './commandLine.js';
import { out } from './output.js';
import {
  GITIGNORE_LINES,
  GITLAB_CI,
  GITLAB_INCLUDE,
  githubWorkflow,
  gitlabJobs,
  POWER_BLOCKS,
  PROBE_BLOCKS,
  rigFile,
  scenarioFile,
  STARTER_SCENARIO,
  type PowerKind,
  type ProbeKind,
} from './starterFiles.js';

function choice<T extends string>(option: string, value: string, known: Record<T, unknown>): T {
  const kinds = Object.keys(known);
  if (kinds.includes(value)) return value as T;
  throw new ConfigError({
    file: 'command line',
    field: option,
    message: `"${value}" is not one of ${kinds.join(', ')}${suggestion(value, kinds)}`,
  });
}

/** The entry as .gitignore matches it: `/reports`, `reports` and `reports/` all keep reports/ out. */
function ignoreKey(line: string): string {
  return line.trim().replace(/^\//, '').replace(/\/$/, '');
}

/** Appends the lines .gitignore lacks; returns those it added. */
function addToGitignore(file: string, lines: readonly string[]): string[] {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const present = new Set(text.split(/\r?\n/).map(ignoreKey));
  const missing = lines.filter((l) => !present.has(ignoreKey(l)));
  if (missing.length) {
    const lead = text === '' ? '' : text.endsWith('\n') ? '\n' : '\n\n';
    writeFileSync(file, `${text}${lead}# hil\n${missing.join('\n')}\n`);
  }
  return missing;
}

/**
 * `hil init`: starts hil in a firmware repository (the current folder): a rig for the probe and power switch
 * given, a starter scenario, .gitignore entries and the nightly CI for GitHub Actions and GitLab. A file that is
 * already there is never touched (it is named as kept); .gitignore only gets the lines it lacks.
 */
export function initCommand(opts: InitOptions): number {
  const probe = choice<ProbeKind>('--probe', opts.probe, PROBE_BLOCKS);
  const power = choice<PowerKind>('--power', opts.power, POWER_BLOCKS);
  if (!isFileName(opts.name))
    throw new ConfigError({
      file: 'command line',
      field: '--name',
      message: `"${opts.name}" cannot name a rig file: use letters, digits, - _ and .`,
    });
  const rig = opts.name;
  const root = process.cwd();

  const files: Array<[string, string]> = [
    [join('rigs', `${rig}.yaml`), rigFile(rig, probe, power)],
    [join('scenarios', `${STARTER_SCENARIO}.yaml`), scenarioFile(rig)],
    [join('.github', 'workflows', 'hil-nightly.yml'), githubWorkflow(rig)],
    [GITLAB_INCLUDE, gitlabJobs(rig)],
    ['.gitlab-ci.yml', GITLAB_CI],
  ];
  const kept: string[] = [];
  for (const [path, text] of files) {
    const file = join(root, path);
    if (existsSync(file)) {
      kept.push(path);
      out(`  kept     ${path} (already there)`);
      continue;
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text, { flag: 'wx' });
    out(`  wrote    ${path}`);
  }
  const added = addToGitignore(join(root, '.gitignore'), GITIGNORE_LINES);
  out(added.length ? `  added    ${added.join(', ')} to .gitignore` : '  kept     .gitignore (has every hil entry)');

  if (kept.includes('.gitlab-ci.yml') && !readFileSync(join(root, '.gitlab-ci.yml'), 'utf8').includes(GITLAB_INCLUDE))
    out(`\nGitLab: add to .gitlab-ci.yml:\n  include:\n    - local: ${GITLAB_INCLUDE}`);
  out(
    `\nnext: edit rigs/${rig}.yaml (console path, probe, power) and scenarios/${STARTER_SCENARIO}.yaml (what your firmware prints), then`,
  );
  out(`  npx hil doctor && npx hil rig check ${rig} && npx hil run ${STARTER_SCENARIO}`);
  out('  (npx hil run rollback-powerfail runs a built-in scenario on the virtual rig, no hardware needed)');
  return EXIT.ok;
}
