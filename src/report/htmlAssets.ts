/**
 * The report page's own style and scripts. They are allowed by hash in the page's Content-Security-Policy, so they
 * must be byte-for-byte what is hashed: constants, never built from data.
 */

export const HTML_STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0 2em 4em;color:#222;background:#fff}
h1{font-size:1.4em}h2{font-size:1.15em;margin:0}h3{font-size:1em;margin:1em 0 .3em;color:#555}
.summary{font-weight:600}.muted{color:#777}
table.cases{border-collapse:collapse;width:100%}table.cases td,table.cases th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
section.case{border:1px solid #ccc;border-left:6px solid #8c8;border-radius:4px;margin:1.5em 0;padding:1em}
section.status-fail{border-left-color:#d33}section.status-error{border-left-color:#e90}section.status-skipped{border-left-color:#aaa}
.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:.85em;font-weight:700;color:#fff;background:#3a3}
.badge.fail{background:#d33}.badge.error{background:#e90}.badge.skipped{background:#999}.badge.flaky{background:#a5a}
.message{font-weight:600}pre.detail{background:#fff4f4;padding:.5em;overflow:auto;white-space:pre-wrap}
table.props th{text-align:left;font-weight:400;color:#555;padding-right:1em}table.props td{font-family:monospace;word-break:break-all}
svg.timeline{border:1px solid #eee;background:#fcfcfc}svg text{font:11px sans-serif;fill:#333}
.axis{stroke:#ddd}.power-on{fill:#9d9}.cut{stroke:#d33;stroke-width:2}.cut-label{fill:#d33}.step{fill:#48c}.line{stroke:#555}
.model{fill:#88a}.model-fail{fill:#d33}.tick{fill:#777}
svg.model .state rect{fill:#fff;stroke:#999}svg.model .state.visited rect{fill:#cfc;stroke:#393}
svg.model .state.fail-state rect{stroke-dasharray:3 2;stroke:#c66}svg.model .state.failed-in rect{fill:#fcc;stroke:#d00;stroke-width:3}
.edge{fill:none;stroke:#bbb}.edge.taken{stroke:#393;stroke-width:1.5}.arrow{fill:#888}
ol.console{font:12px/1.35 monospace;background:#111;color:#ddd;padding:.5em .5em .5em 3.5em;max-height:30em;overflow:auto;white-space:pre-wrap;word-break:break-all}
ol.console .t{color:#8a8;margin-right:1em}
`;

/** First thing on the page: records every error (script, resource, CSP, console.error) where a test can read it. */
export const HTML_ERROR_SCRIPT = `
window.hilErrors = [];
function hilNote(m) {
  window.hilErrors.push(String(m));
  var el = document.getElementById('page-errors');
  if (el) el.textContent = JSON.stringify(window.hilErrors);
}
window.addEventListener('error', function (e) { hilNote(e.message || ('failed to load ' + (e.target && (e.target.src || e.target.href)))); }, true);
window.addEventListener('unhandledrejection', function (e) { hilNote('unhandled rejection: ' + e.reason); });
document.addEventListener('securitypolicyviolation', function (e) { hilNote('blocked by the page policy: ' + e.violatedDirective + ' ' + e.blockedURI); });
var hilConsoleError = console.error;
console.error = function () { hilNote(Array.prototype.join.call(arguments, ' ')); return hilConsoleError.apply(console, arguments); };
`;

/** Console search (on textContent: board text is never parsed), then marks the page ready. */
export const HTML_PAGE_SCRIPT = `
document.querySelectorAll('section.case').forEach(function (section) {
  var input = section.querySelector('.console-search');
  var items = section.querySelectorAll('ol.console li');
  var count = section.querySelector('.console-count');
  function apply() {
    var q = input.value.toLowerCase();
    var shown = 0;
    items.forEach(function (li) {
      var hit = !q || li.textContent.toLowerCase().indexOf(q) >= 0;
      li.hidden = !hit;
      if (hit) shown++;
    });
    count.textContent = q ? shown + ' of ' + items.length + ' lines' : items.length + ' lines';
  }
  input.addEventListener('input', apply);
  apply();
});
document.getElementById('page-errors').textContent = JSON.stringify(window.hilErrors);
document.body.setAttribute('data-ready', 'true');
`;
