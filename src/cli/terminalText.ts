/**
 * Bytes a board printed, made safe to show on the user's terminal: control characters (ESC sequences that clear
 * the screen, set the window title, make OSC-8 links; BEL, backspace, CR; the C1 set) and the bidi overrides
 * that reorder what is shown are written out as `\xNN` / `\u{NNNN}`. Tabs and newlines stay. The report's
 * console.raw keeps the bytes as received.
 */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
