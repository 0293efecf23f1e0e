/**
 * The report pages' own style and scripts. They are allowed by hash in each page's Content-Security-Policy, so
 * they must be byte-for-byte what is hashed: constants, never built from data.
 */

export const HTML_STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0 2em 4em;color:#222;background:#fff}
h1{font-size:1.4em;margin:.4em 0}h2{font-size:1.15em;margin:1.2em 0 .4em}h3{font-size:1em;margin:1em 0 .3em;color:#555}
.summary{font-weight:600}.muted{color:#777}.crumbs{margin:.8em 0 0}
table.cases{border-collapse:collapse;width:100%}table.cases td,table.cases th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
tr.status-fail td:first-child{box-shadow:inset 4px 0 #d33}tr.status-error td:first-child{box-shadow:inset 4px 0 #e90}
section.case{border:1px solid #ccc;border-left:6px solid #8c8;border-radius:4px;margin:1em 0;padding:.2em 1em 1em}
section.status-fail{border-left-color:#d33}section.status-error{border-left-color:#e90}section.status-skipped{border-left-color:#aaa}
.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:.85em;font-weight:700;color:#fff;background:#3a3}
.badge.fail{background:#d33}.badge.error{background:#e90}.badge.skipped{background:#999}.badge.flaky{background:#a5a}.badge.override{background:#36c}
.message{font-weight:600;overflow-wrap:anywhere}pre.detail{background:#fff4f4;padding:.5em;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere;max-height:14em}
table.cases td{overflow-wrap:anywhere}
table.props th{text-align:left;font-weight:400;color:#555;padding-right:1em}table.props td{font-family:monospace;word-break:break-all}
table.images{border-collapse:collapse;margin:.5em 0;font-size:.92em}table.images td,table.images th{border-bottom:1px solid #eee;padding:2px 10px 2px 0;text-align:left}
table.images td.sha,table.images td.path{font-family:monospace;font-size:.9em;word-break:break-all}table.images tr.overridden td{background:#eef3ff;font-weight:600}
svg text{font:11px sans-serif;fill:#333}
svg.timeline{border:1px solid #eee;background:#fcfcfc;user-select:none;cursor:crosshair}
.axis{stroke:#ddd}.power-on{fill:#9d9}.cut line{stroke:#d33;stroke-width:2}svg text.cut-label{fill:#d33;font-size:13px}.step{fill:#48c}.line{stroke:#555}
.model{fill:#88a}.model-fail{fill:#d33}svg text.tick{fill:#777}.tl-brush{fill:#48c;fill-opacity:.15}
.timeline-tools{margin:.2em 0}.timeline-tools button{font-size:12px}
.model-wrap{overflow-x:auto}
svg.model text{font:12px monospace;fill:#222}svg.model text.edge-label{font:11px monospace;fill:#555}svg.model text.exit{font:11px monospace;fill:#b44}svg.model text.exit.taken{fill:#d00;font-weight:700}svg.model text.loop{font:11px monospace;fill:#666}svg.model text.loop.taken{fill:#262}
svg.model .state rect{fill:#fff;stroke:#999}svg.model .state.visited rect{fill:#dff3d8;stroke:#393}
svg.model .cluster rect{fill:#fafafa;stroke:#bbb;stroke-dasharray:4 3}svg.model .cluster.visited rect{fill:#f3fbf0;stroke:#8b8}
svg.model .state.cut rect{stroke:#e07000;stroke-width:3}svg.model .cluster.cut rect{stroke:#e07000;stroke-width:2.5}svg.model text.cut-count{fill:#e07000;font:bold 13px sans-serif}
svg.model .state.ended rect{stroke:#124;stroke-width:3.5}
svg.model .fail-state rect{fill:#fff;stroke:#c66;stroke-dasharray:3 2}svg.model .fail-state.failed rect{fill:#fcc;stroke:#d00;stroke-width:3;stroke-dasharray:none}
svg.model text.group-label{fill:#b44;font-weight:700}
svg.model .edge path{fill:none;stroke:#bbb}svg.model .edge.taken path{stroke:#393;stroke-width:1.8}svg.model .edge.taken text.edge-label{fill:#262}.arrow{fill:#888}
.model-legend{font-size:12px;color:#555}.key{display:inline-block;width:14px;height:10px;border:1px solid #999;vertical-align:middle;margin-left:.8em}
.key.visited{background:#dff3d8;border-color:#393}.key.unvisited{background:#fff}.key.cut{border:2px solid #e07000}.key.ended{border:2px solid #124}.key.failed{background:#fcc;border:2px solid #d00}.key.fail-state{border:1px dashed #c66}
details.scenario-model summary{font-weight:600;cursor:pointer;margin:.6em 0}
section.sweep{margin:1em 0}.sweep-body{display:flex;gap:1.5em;align-items:flex-start;flex-wrap:wrap}div.sweep-plot{flex:3 1 600px;min-width:0}
svg.sweep-plot{border:1px solid #eee}svg.sweep-plot .point{stroke:#fff;stroke-width:1;cursor:pointer}svg.sweep-plot .point.pass{fill:#3a3}svg.sweep-plot .point.fail{fill:#d33}svg.sweep-plot .point.error{fill:#e90}svg.sweep-plot .point.skipped{fill:#999}
svg.sweep-plot a:hover .point{stroke:#000;stroke-width:2}svg.sweep-plot .band-key{stroke:#aaa}
table.sweep-table{flex:1 1 260px;border-collapse:collapse;font-size:.92em;max-height:26em;overflow:auto;display:block}table.sweep-table td,table.sweep-table th{border-bottom:1px solid #eee;padding:2px 8px;text-align:left}
table.sweep-table td.n{text-align:right}table.sweep-table tr.status-fail td:first-child{box-shadow:inset 3px 0 #d33}
ol.console{font:12px/1.35 monospace;background:#111;color:#ddd;padding:.5em .5em .5em 3.5em;max-height:30em;overflow:auto;white-space:pre-wrap;word-break:break-all}
ol.console .t{color:#8a8;margin-right:1em}ol.console .ctl{color:#fa5;background:#332;border-radius:2px}ol.console li.cut-mark{color:#fff;background:#a22;list-style:none;font-weight:700}ol.console li.power-mark{color:#8d8;list-style:none}
`;

/** First thing on a page: records every error (script, resource, CSP, console.error) where a test can read it. */
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

/** The index has nothing to compute: it only says it is ready. */
export const HTML_INDEX_SCRIPT = `
document.getElementById('page-errors').textContent = JSON.stringify(window.hilErrors);
document.body.setAttribute('data-ready', 'true');
`;

/**
 * A case's page: console search (on textContent: board text is never parsed) and the timeline's zoom (marks are
 * moved by their data-t; the ticks redrawn), then marks the page ready.
 */
export const HTML_CASE_SCRIPT = `
document.querySelectorAll('section.case').forEach(function (section) {
  var input = section.querySelector('.console-search');
  var items = section.querySelectorAll('ol.console li:not(.cut-mark):not(.power-mark)');
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
function hilMs(t) { return t >= 1000 ? (t / 1000).toFixed(3) + 's' : Math.round(t * 10) / 10 + 'ms'; }
document.querySelectorAll('.timeline-wrap').forEach(function (wrap) {
  var svg = wrap.querySelector('svg.timeline');
  var end = Number(wrap.dataset.end), left = Number(wrap.dataset.left), right = Number(wrap.dataset.right);
  var view = [0, end];
  var marks = svg.querySelectorAll('[data-t]');
  var ticks = svg.querySelector('g.ticks');
  var brush = svg.querySelector('.tl-brush');
  var cut = svg.querySelector('g.cut');
  function x(t) { return left + ((t - view[0]) / (view[1] - view[0])) * (right - left); }
  function draw() {
    marks.forEach(function (m) {
      var t = Number(m.dataset.t);
      if (m.tagName === 'g') {
        m.querySelector('line').setAttribute('x1', x(t)); m.querySelector('line').setAttribute('x2', x(t));
        m.querySelector('text').setAttribute('x', x(t));
      } else if (m.tagName === 'circle') m.setAttribute('cx', x(t));
      else if (m.tagName === 'line') { m.setAttribute('x1', x(t)); m.setAttribute('x2', x(t)); }
      else if (m.dataset.t2) { m.setAttribute('x', x(t)); m.setAttribute('width', Math.max(x(Number(m.dataset.t2)) - x(t), 1)); }
      else m.setAttribute('x', x(t));
    });
    var span = view[1] - view[0], raw = span / 8, mag = Math.pow(10, Math.floor(Math.log10(raw || 1)));
    var step = [1, 2, 5, 10].map(function (k) { return k * mag; }).find(function (s) { return s >= raw; });
    while (ticks.firstChild) ticks.removeChild(ticks.firstChild);
    for (var t = Math.ceil(view[0] / step) * step; t <= view[1] + 1e-9; t += step) {
      var text = document.createElementNS('http://www.w3.org/2000/svg', 'text');
      text.setAttribute('class', 'tick'); text.setAttribute('x', x(t)); text.setAttribute('text-anchor', 'middle');
      text.textContent = hilMs(Math.round(t * 1000) / 1000);
      ticks.appendChild(text);
    }
    wrap.querySelector('.tl-range').textContent = hilMs(view[0]) + ' – ' + hilMs(view[1]);
  }
  function zoom(from, to) {
    from = Math.max(0, from); to = Math.min(end, to);
    if (to - from < 0.5) { var mid = (from + to) / 2; from = Math.max(0, mid - 0.25); to = Math.min(end, mid + 0.25); }
    view = [from, to]; draw();
  }
  function toTime(evt) {
    var box = svg.getBoundingClientRect();
    var vx = ((evt.clientX - box.left) / box.width) * svg.viewBox.baseVal.width;
    return view[0] + ((Math.min(Math.max(vx, left), right) - left) / (right - left)) * (view[1] - view[0]);
  }
  var start = null;
  svg.addEventListener('mousedown', function (evt) { start = toTime(evt); brush.setAttribute('visibility', 'visible'); brush.setAttribute('width', 0); evt.preventDefault(); });
  svg.addEventListener('mousemove', function (evt) {
    if (start === null) return;
    var a = x(start), b = x(toTime(evt));
    brush.setAttribute('x', Math.min(a, b)); brush.setAttribute('width', Math.abs(b - a));
  });
  window.addEventListener('mouseup', function (evt) {
    if (start === null) return;
    var t = toTime(evt), from = Math.min(start, t), to = Math.max(start, t);
    start = null; brush.setAttribute('visibility', 'hidden');
    if (to - from > (view[1] - view[0]) / 200) zoom(from, to);
  });
  wrap.querySelector('.tl-out').addEventListener('click', function () { var s = view[1] - view[0]; zoom(view[0] - s, view[1] + s); });
  wrap.querySelector('.tl-all').addEventListener('click', function () { zoom(0, end); });
  var around = wrap.querySelector('.tl-cut');
  if (around && cut) around.addEventListener('click', function () { var t = Number(cut.dataset.t); zoom(t - 100, t + 100); });
});
document.getElementById('page-errors').textContent = JSON.stringify(window.hilErrors);
document.body.setAttribute('data-ready', 'true');
`;
