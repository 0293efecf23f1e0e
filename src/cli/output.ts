/** Colour only on a TTY and never with NO_COLOR set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env && process.env['NO_COLOR'] !== '') && process.env['TERM'] !== 'dumb';
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

export function err(line: string): void {
  if (!gone.has(process.stderr)) process.stderr.write(`${line}\n`);
}
