/** Colour only on a TTY and never with NO_COLOR set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env && process.env['NO_COLOR'] !== '') && process.env['TERM'] !== 'dumb';
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;
export type Color = keyof typeof CODES;

export function paint(color: Color, text: string, enabled: boolean = useColor()): string {
  return enabled ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text;
}

export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function err(line: string): void {
  process.stderr.write(`${line}\n`);
}
