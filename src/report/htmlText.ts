/**
 * Board output is text, never markup: everything that goes into the HTML report passes through here. Control
 * characters other than tab/newline become U+FFFD so a stray byte cannot confuse a parser either.
 */
export function escapeHtml(value: string | number | undefined): string {
  return String(value ?? '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A path segment in an href: report folders are named after case ids, which hold `[`, `=`, `#`, spaces. */
export function hrefPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
