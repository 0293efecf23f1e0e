/**
 * Board output is text, never markup: everything that goes into the HTML report passes through here. Control
 * characters other than tab and newline become Unicode's pictures of them (a backspace `␈`, the `\r` of a redraw
 * `␍`, an escape `␛`), so what the board sent stays visible and a stray byte cannot confuse a parser either.
 */
export function escapeHtml(value: string | number | undefined): string {
  return String(value ?? '')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, controlPicture)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A console line: escaped, its control characters' pictures marked (`span.ctl`) so they stand apart from text. */
export function consoleLineHtml(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]|[^\u0000-\u0008\u000b-\u001f\u007f]+/g, (run) =>
    run.length === 1 && /[\u0000-\u0008\u000b-\u001f\u007f]/.test(run)
      ? `<span class="ctl">${controlPicture(run)}</span>`
      : escapeHtml(run),
  );
}

/** U+2400 and on: ␀ ␁ ... ␟, and ␡ for DEL. */
function controlPicture(c: string): string {
  const code = c.charCodeAt(0);
  return String.fromCharCode(code === 0x7f ? 0x2421 : 0x2400 + code);
}

/** A path segment in an href: report folders are named after case ids, which hold `[`, `=`, `#`, spaces. */
export function hrefPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
