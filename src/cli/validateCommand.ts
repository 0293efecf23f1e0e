import { relative } from 'node:path';
import { validate } from '../api/load.js';
import { formatIssue } from '../core/errors.js';
import { EXIT } from '../core/outcome.js';
import { out, paint, useColor } from './output.js';

/** `hil validate [files...]`: every shipped rig and scenario with no argument. Exit 2 if any has a problem. */
export function validateCommand(files: string[]): number {
  const color = useColor();
  const checked = validate(files);
  let problems = 0;
  for (const { file, kind, issues } of checked) {
    if (!issues.length) out(`${paint('green', 'ok  ', color)} ${kind.padEnd(8)} ${relative(process.cwd(), file) || file}`);
    for (const issue of issues) out(`${paint('red', 'FAIL', color)} ${formatIssue(issue)}`);
    problems += issues.length;
  }
  out(`${checked.length} files checked, ${problems} problem${problems === 1 ? '' : 's'}`);
  return problems ? EXIT.config : EXIT.ok;
}
