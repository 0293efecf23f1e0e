/**
 * Colour on a TTY, or anywhere FORCE_COLOR is set (https://force-color.org: a CI log that renders ANSI; `0` and
 * `false` mean off, as Node reads them); never with NO_COLOR set (https://no-color.org), which wins over
 * FORCE_COLOR (a test harness that forces colour on its workers), nor on a dumb terminal.
 */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  const set = (name: string) => (process.env[name] ?? '') !== '';
  if (set('NO_COLOR')) return false;
  if (set('FORCE_COLOR')) return !['0', 'false'].includes(process.env['FORCE_COLOR']!);
  return Boolean(stream.isTTY) && process.env['TERM'] !== 'dumb';
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;
export type Color = keyof typeof CODES;

export function paint(color: Color, text: string, enabled: boolean = useColor()): string {
  return enabled ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text;
}

// A reader that goes away (`hil run ... | head`) must not crash a run mid-case: the run goes on, silently,
// and still switches power off and writes its reports.
const gone = new Set<NodeJS.WriteStream>();
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    gone.add(stream);
  });
}

export function out(line = ''): void {
  if (!gone.has(process.stdout)) process.stdout.write(`${line}\n`);
}

/** As `out`, but waits while the reader is behind: long output (`hil list --json`) never piles up in memory. */
export async function outPaced(line: string): Promise<void> {
  if (gone.has(process.stdout) || process.stdout.write(`${line}\n`)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      process.stdout.off('drain', done).off('error', done);
      resolve();
    };
    process.stdout.once('drain', done).once('error', done);
  });
}

/** Text as it is, no newline added (a line completed later, a redraw), to a stream whose reader may be gone. */
export function write(stream: NodeJS.WriteStream, text: string): void {
  if (!gone.has(stream)) stream.write(text);
}

export function err(line: string): void {
  if (!gone.has(process.stderr)) process.stderr.write(`${line}\n`);
}
