import type { CaseResult } from '../../report/CaseResult.js';
import { paint, type Color } from '../output.js';
import { terminalText } from '../terminalText.js';
import { seconds } from './format.js';

export const MARK: Record<CaseResult['status'], [string, Color]> = {
  pass: ['PASS', 'green'],
  fail: ['FAIL', 'red'],
  error: ['ERROR', 'yellow'],
  skipped: ['SKIP', 'gray'],
};

/**
 * How an ended case is printed: `  PASS id (0.7s)`, its message, and for a failure what the model expected and the
 * last console lines. Messages and details quote console lines: shown neutralised, as the board's bytes may be
 * escapes.
 */
export function caseLines(c: CaseResult, color: boolean): string[] {
  const [word, hue] = MARK[c.status];
  const lines = [`  ${paint(hue, word, color)} ${c.id} (${seconds(c.durationMs)})${c.message ? `: ${terminalText(c.message)}` : ''}`];
  if (c.status === 'fail' && c.detail)
    for (const l of c.detail.split('\n').slice(1)) lines.push(paint('gray', `    ${terminalText(l)}`, color));
  return lines;
}
