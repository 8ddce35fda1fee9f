/**
 * Renders the run report: one self-contained HTML file (no network) with the
 * plotting library (uPlot, from npm) and the data inlined. Pure: data and the
 * library's text in, HTML out.
 *
 * Plots: per joint (grouped by limb) the policy target, the shield's command,
 * the measured position and the URDF limits, with the shield's interventions
 * marked by stage; the shield state and policy mode timelines with operator
 * actions, dynamics changes, motion-primitive and adaptation events; base height and speed (floating base); the
 * inference latency histogram. The page sets `window.__report` (each plot's
 * id, title, data points and canvas) for tests.
 */
import type { ReportData } from './report-data.js';

export interface PlotLibrary {
  /** uPlot's IIFE build (defines the global `uPlot`). */
  js: string;
  css: string;
}

/** Joint groups by name (G1-style names; anything else goes to "other joints"). */
export function groupJoints(names: readonly string[]): Array<{ group: string; joints: number[] }> {
  const rules: Array<[string, RegExp]> = [
    ['left leg', /^left_(hip|knee|ankle)/],
    ['right leg', /^right_(hip|knee|ankle)/],
    ['waist', /^(waist|torso)/],
    ['left arm', /^left_(shoulder|elbow|wrist)/],
    ['right arm', /^right_(shoulder|elbow|wrist)/],
    ['left hand', /^left_hand/],
    ['right hand', /^right_hand/],
  ];
  const out = new Map<string, number[]>();
  names.forEach((n, i) => {
    const g = rules.find(([, re]) => re.test(n))?.[0] ?? 'other joints';
    if (!out.has(g)) out.set(g, []);
    out.get(g)!.push(i);
  });
  return [...out].map(([group, joints]) => ({ group, joints }));
}

/** Escapes text for HTML element content. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** JSON safe inside a <script> element (no `</script>`, no `<!--`). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Rounds samples to 6 significant digits (smaller file; far below plot resolution). */
function compact(data: ReportData): ReportData {
  const r = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(6)) : x);
  const rs = (a: number[]): number[] => a.map(r);
  const tr = <T extends { t: number[]; series: number[][] }>(x: T | null): T | null => (x ? { ...x, t: rs(x.t), series: x.series.map(rs) } : null);
  return {
    ...data,
    command: tr(data.command)!,
    measured: tr(data.measured)!,
    candidate: tr(data.candidate),
    interventions: { ...data.interventions, value: rs(data.interventions.value) },
    base: data.base ? { ...data.base, t: rs(data.base.t), z: rs(data.base.z), vx: rs(data.base.vx), vy: rs(data.base.vy), speed: rs(data.base.speed) } : null,
  };
}

export function renderReport(data: ReportData, lib: PlotLibrary): string {
  const groups = groupJoints(data.joints.map((j) => j.name));
  const notes: string[] = [];
  for (const [what, s] of [['command', data.command.stride], ['measured', data.measured.stride], ['target', data.candidate?.stride ?? 1], ['base', data.base?.stride ?? 1]] as const) {
    if (s > 1) notes.push(`${what}: one sample in ${s} kept (bounded buffers)`);
  }
  if (data.interventions.dropped > 0) notes.push(`${data.interventions.dropped} intervention markers past the buffer are not shown`);
  if (data.states.dropped > 0 || (data.modes?.dropped ?? 0) > 0) notes.push('some state/mode changes past the buffer are not shown');
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(data.meta.title)}</title>
<style>${lib.css}</style>
<style>
body { font: 14px system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 24px; } h3 { font-size: 14px; margin: 12px 0 4px; }
pre { background: #f5f5f5; padding: 8px; overflow-x: auto; font-size: 12px; }
.grid { display: flex; flex-wrap: wrap; gap: 8px; }
.plot { border: 1px solid #ddd; padding: 4px; }
.legend-key span { display: inline-block; margin-right: 12px; }
.note { color: #a60; }
</style></head>
<body>
<h1>${esc(data.meta.title)}</h1>
<p>robot <b>${esc(data.meta.robot)}</b>, ${data.endS.toFixed(3)} s of sim time, written ${esc(data.meta.createdAt)}</p>
<pre>${esc(data.meta.summary.join('\n'))}</pre>
${notes.map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
<h2>Shield state and policy mode</h2>
<p class="legend-key"><span style="color:#c00">| operator action</span><span style="color:#e80">| dynamics change</span><span style="color:#1a8f3a">| motion primitive</span><span style="color:#7b3fbf">| adaptation</span></p>
<div id="timelines" class="grid"></div>
<div id="base-section"></div>
<h2>Inference latency</h2>
<div id="latency" class="grid"></div>
<h2>Joints: target, command, measured, limits; shield interventions by stage</h2>
<p>Dots mark ticks where the shield changed this joint's target; a dot's colour is each stage that acted on that tick (on any joint), so one tick can carry several.</p>
<div id="joints"></div>
<script type="application/json" id="report-data">${scriptJson(compact(data))}</script>
<script type="application/json" id="report-groups">${scriptJson(groups)}</script>
<script>${lib.js}</script>
<script>${BROWSER_SCRIPT}</script>
</body></html>
`;
  return page;
}

/** Runs in the page: builds every plot from the inlined data. */
const BROWSER_SCRIPT = String.raw`
(function () {
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var G = JSON.parse(document.getElementById('report-groups').textContent);
  var R = (window.__report = { plots: [] });
  var MARK_COLORS = { operator: '#c00', dynamics: '#e80', motion: '#1a8f3a', adaptation: '#7b3fbf' };
  var STAGE_COLORS = ['#888', '#d62728', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#2ca02c'];
  var xRange = [0, Math.max(D.endS, 1e-3)];

  function countPoints(data) {
    var n = 0;
    for (var s = 1; s < data.length; s++) for (var i = 0; i < data[s].length; i++) if (data[s][i] != null) n++;
    return n;
  }
  function marksPlugin(labels) {
    return { hooks: { draw: [function (u) {
      var ctx = u.ctx;
      ctx.save();
      D.marks.forEach(function (m, idx) {
        var x = Math.round(u.valToPos(m.t, 'x', true));
        if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
        ctx.strokeStyle = MARK_COLORS[m.kind] || '#e80';
        ctx.setLineDash(m.kind === 'operator' ? [6, 3] : m.kind === 'dynamics' ? [2, 3] : [4, 2, 1, 2]);
        ctx.lineWidth = 1.5 * devicePixelRatio;
        ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
        if (labels) {
          ctx.fillStyle = ctx.strokeStyle;
          ctx.font = (10 * devicePixelRatio) + 'px sans-serif';
          ctx.fillText(m.label, x + 3, u.bbox.top + 11 * devicePixelRatio * (1 + (idx % 4)));
        }
      });
      ctx.restore();
    }] } };
  }
  function plot(id, title, parent, opts, data, keyColor) {
    var div = document.createElement('div');
    div.className = 'plot';
    div.id = id;
    parent.appendChild(div);
    opts.title = title;
    var u = new uPlot(opts, data, div);
    // for tests: the first data series' colour (to find its pixels on the canvas)
    R.plots.push({ id: id, title: title, points: countPoints(data), canvas: u.ctx.canvas, color: keyColor || opts.series[1].stroke });
    return u;
  }
  function stepTable(ev, endS) {
    var t = ev.t.slice(), y = ev.code.slice();
    if (t.length > 0) { t.push(Math.max(endS, t[t.length - 1])); y.push(y[y.length - 1]); }
    return [t, y];
  }
  function namesAxis(names) {
    return { values: function (u, splits) { return splits.map(function (v) { return Number.isInteger(v) && names[v] ? names[v] : ''; }); }, size: 80 };
  }

  // ---- timelines ----
  var tl = document.getElementById('timelines');
  var width = Math.min(1100, Math.max(600, document.body.clientWidth - 40));
  plot('shield-state', 'Shield state', tl, {
    width: width, height: 180, plugins: [marksPlugin(true)],
    scales: { x: { time: false, range: xRange }, y: { range: [-0.5, D.stateNames.length - 0.5] } },
    axes: [{ label: 't (s)' }, Object.assign(namesAxis(D.stateNames), { splits: function () { return D.stateNames.map(function (_, i) { return i; }); } })],
    series: [{}, { label: 'state', stroke: '#1f77b4', width: 2, paths: uPlot.paths.stepped({ align: 1 }),
      value: function (u, v) { return v == null ? '' : D.stateNames[v]; } }],
  }, stepTable(D.states, D.endS));
  if (D.modes) {
    plot('policy-mode', 'Policy mode', tl, {
      width: width, height: 180, plugins: [marksPlugin(true)],
      scales: { x: { time: false, range: xRange }, y: { range: [-0.5, D.modeNames.length - 0.5] } },
      axes: [{ label: 't (s)' }, Object.assign(namesAxis(D.modeNames), { splits: function () { return D.modeNames.map(function (_, i) { return i; }); } })],
      series: [{}, { label: 'mode', stroke: '#2ca02c', width: 2, paths: uPlot.paths.stepped({ align: 1 }),
        value: function (u, v) { return v == null ? '' : D.modeNames[v]; } }],
    }, stepTable(D.modes, D.endS));
  }

  // ---- floating base ----
  if (D.base) {
    var bs = document.getElementById('base-section');
    var h = document.createElement('h2'); h.textContent = 'Floating base'; bs.appendChild(h);
    var grid = document.createElement('div'); grid.className = 'grid'; bs.appendChild(grid);
    plot('base-height', 'Base height and horizontal speed', grid, {
      width: width, height: 220, plugins: [marksPlugin(false)],
      scales: { x: { time: false, range: xRange }, m: {}, v: {} },
      axes: [{ label: 't (s)' }, { scale: 'm', label: 'height (m)' }, { scale: 'v', side: 1, label: 'speed (m/s)', grid: { show: false } }],
      series: [{}, { label: 'height (m)', scale: 'm', stroke: '#1f77b4', width: 2 }, { label: '|v_xy| (m/s)', scale: 'v', stroke: '#ff7f0e', width: 2 }],
    }, [D.base.t, D.base.z, D.base.speed]);
  }

  // ---- latency ----
  var lat = document.getElementById('latency');
  if (D.latency) {
    var xs = D.latency.counts.map(function (_, i) { return (i + 0.5) * D.latency.binMs; });
    plot('latency-histogram', 'Inference wall time: ' + D.latency.count + ' inferences, mean ' + D.latency.meanMs.toFixed(3) + ' ms, max ' + D.latency.maxMs.toFixed(3) + ' ms', lat, {
      width: width, height: 220,
      scales: { x: { time: false } },
      axes: [{ label: 'ms' }, { label: 'inferences' }],
      series: [{}, { label: 'count', fill: '#1f77b488', stroke: '#1f77b4', paths: uPlot.paths.bars({ size: [1, Infinity] }) }],
    }, [xs, D.latency.counts]);
  } else {
    lat.textContent = 'No inferences in this run (no policy).';
  }

  // ---- joints ----
  var js = document.getElementById('joints');
  G.forEach(function (g) {
    var h3 = document.createElement('h3'); h3.textContent = g.group; js.appendChild(h3);
    var grid = document.createElement('div'); grid.className = 'grid'; js.appendChild(grid);
    g.joints.forEach(function (j) {
      var J = D.joints[j];
      var lo = D.command.t.map(function () { return J.lower; });
      var hi = D.command.t.map(function () { return J.upper; });
      // drawn in this order: limits, policy target, measured, then the shield's command on top
      var tables = [[D.command.t, lo, hi]];
      var series = [{},
        { label: 'lower', stroke: '#d62728', dash: [4, 4], width: 1, spanGaps: true },
        { label: 'upper', stroke: '#d62728', dash: [4, 4], width: 1, spanGaps: true }];
      if (D.candidate) {
        tables.push([D.candidate.t, D.candidate.series[j]]);
        series.push({ label: 'target', stroke: '#777', dash: [3, 2], width: 1, spanGaps: true });
      }
      tables.push([D.measured.t, D.measured.series[j]]);
      series.push({ label: 'measured', stroke: '#2ca02c', width: 1, spanGaps: true });
      tables.push([D.command.t, D.command.series[j]]);
      series.push({ label: 'command', stroke: '#1f77b4', width: 1.5, spanGaps: true });
      var iv = D.interventions;
      for (var c = 1; c < D.stageNames.length; c++) {
        var tt = [], vv = [];
        for (var k = 0; k < iv.t.length; k++) {
          if (iv.code[k] === j && (iv.detail[k] & (1 << c)) && k < iv.value.length) { tt.push(iv.t[k]); vv.push(iv.value[k]); }
        }
        if (tt.length === 0) continue;
        tables.push([tt, vv]);
        series.push({ label: D.stageNames[c] + ' (' + tt.length + ')', stroke: STAGE_COLORS[c], width: 0, paths: function () { return null; },
          points: { show: true, size: 5, fill: STAGE_COLORS[c], stroke: STAGE_COLORS[c] } });
      }
      plot('joint-' + J.name, J.name + ' (rad)', grid, {
        width: 520, height: 220, plugins: [marksPlugin(false)],
        scales: { x: { time: false, range: xRange } },
        axes: [{}, {}],
        legend: { show: true },
        series: series,
      }, uPlot.join(tables), '#1f77b4');
    });
  });
  R.done = true;
})();
`;
