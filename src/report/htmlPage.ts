import { createHash } from 'node:crypto';
import { escapeHtml } from './htmlText.js';
import { HTML_ERROR_SCRIPT, HTML_STYLE } from './htmlAssets.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64');

/**
 * A static page (no external resources; opens from disk). Nothing the board printed is ever parsed as markup: it
 * is escaped before it gets here, the page's script only reads textContent, and the Content-Security-Policy lets
 * through no script but the page's own two (by hash), so even a slip in escaping would run nothing.
 */
export function htmlPage(title: string, body: string, script: string): string {
  const csp = `default-src 'none'; style-src 'sha256-${sha256(HTML_STYLE)}'; script-src 'sha256-${sha256(HTML_ERROR_SCRIPT)}' 'sha256-${sha256(script)}'; img-src data:`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${HTML_STYLE}</style>
<script>${HTML_ERROR_SCRIPT}</script>
</head>
<body>
${body}
<pre id="page-errors" hidden></pre>
<script>${script}</script>
</body>
</html>
`;
}
