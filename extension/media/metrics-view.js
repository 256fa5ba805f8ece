// The metrics panel's script (runs in the webview): draws the series the extension posts with uPlot,
// in the VS Code theme's colours, and redraws when the theme or the panel's size changes.
/* global uPlot, acquireVsCodeApi */
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const css = (name, fallback) =>
    getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
  const colours = () => ({
    fg: css('--vscode-foreground', '#cccccc'),
    grid: css('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)'),
    blue: css('--vscode-charts-blue', '#3794ff'),
    orange: css('--vscode-charts-orange', '#d18616'),
    red: css('--vscode-charts-red', '#f14c4c'),
    font: css('--vscode-font-family', 'sans-serif'),
  });
  const charts = {};
  let last = [];

  function options(id, series, c) {
    const width = Math.max(300, document.body.clientWidth - 32);
    const axis = {
      stroke: c.fg,
      grid: { stroke: c.grid, width: 1 },
      ticks: { stroke: c.grid },
      font: `11px ${c.font}`,
    };
    return {
      width,
      height: 180,
      legend: { live: true },
      scales: { x: { time: true } },
      axes: [axis, { ...axis, size: 60 }],
      series: [{}, ...series],
      cursor: { drag: { x: false, y: false } },
    };
  }

  function specs(c) {
    return {
      calls: [{ label: 'calls/s', stroke: c.blue, width: 2, fill: c.blue + '22' }],
      latency: [
        { label: 'p50 ms', stroke: c.blue, width: 2 },
        { label: 'p99 ms', stroke: c.orange, width: 2 },
      ],
      errors: [{ label: 'errors/s', stroke: c.red, width: 2, fill: c.red + '22' }],
    };
  }

  function data(points) {
    const x = points.map((p) => p.at / 1000);
    return {
      calls: [x, points.map((p) => p.callsPerSecond)],
      latency: [x, points.map((p) => p.p50Ms), points.map((p) => p.p99Ms)],
      errors: [x, points.map((p) => p.errorsPerSecond)],
    };
  }

  function draw(rebuild) {
    const c = colours();
    const s = specs(c);
    const d = data(last);
    for (const id of Object.keys(s)) {
      if (rebuild && charts[id] !== undefined) {
        charts[id].destroy();
        delete charts[id];
      }
      if (charts[id] === undefined)
        charts[id] = new uPlot(options(id, s[id], c), d[id], document.getElementById(id));
      else charts[id].setData(d[id]);
    }
    const newest = last[last.length - 1];
    const summary = document.getElementById('summary');
    summary.textContent =
      newest === undefined
        ? 'Waiting for the first numbers…'
        : `${newest.callsPerSecond.toFixed(1)} calls/s · p50 ${newest.p50Ms === null ? '–' : newest.p50Ms.toFixed(2) + ' ms'} · p99 ${newest.p99Ms === null ? '–' : newest.p99Ms.toFixed(2) + ' ms'} · ${newest.errorsPerSecond.toFixed(1)} errors/s`;
    document.body.dataset.points = String(last.length);
    document.body.dataset.calls = String(last.reduce((a, p) => a + p.callsPerSecond, 0));
  }

  window.addEventListener('message', (e) => {
    if (e.data && e.data.type === 'series') {
      last = e.data.points;
      draw(false);
    }
  });
  window.addEventListener('resize', () => draw(true));
  // A theme change rewrites the body's class: redraw in the new colours.
  new MutationObserver(() => draw(true)).observe(document.body, {
    attributes: true,
    attributeFilter: ['class'],
  });
  draw(false);
  vscode.postMessage({ type: 'ready' });
})();
