const TELLING =
  /\b(error|failed|failure|fatal|unable|cannot|can't|not found|no such|no (connected|available) debug probes?|not connected|refused|timed? ?out|invalid)\b/i;
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * The line of a probe tool's output that says what went wrong: the first telling one (later ones are usually
 * consequences, such as openocd's "exit 1"), else the last non-blank line.
 */
export function toolMessage(...outputs: string[]): string | undefined {
  const lines = outputs
    .join('\n')
    .replace(ANSI, '')
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => TELLING.test(l)) ?? lines.at(-1);
}
