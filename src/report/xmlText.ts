/**
 * Text a board printed, made safe for XML 1.0 whatever the bytes were: ANSI escape sequences are dropped,
 * characters XML cannot carry (NUL and other C0 controls, lone surrogates, U+FFFE/U+FFFF) are written as
 * visible `\xNN` / `\uNNNN`, and markup characters are escaped. Invalid UTF-8 has already become U+FFFD
 * when the console decoded it. No CDATA, so `]]>` needs no special case.
 */
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
const ILLEGAL =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

function xmlSafe(text: string): string {
  return text.replace(ANSI, '').replace(ILLEGAL, visible);
}

export function escapeText(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttr(text: string): string {
  return escapeText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}
