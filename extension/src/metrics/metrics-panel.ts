import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { MetricsHistory, MetricsScope } from './metrics-history.js';

/** Where the bundled chart library is: `media/` in the installed extension, node_modules in a checkout. */
function chartLibrary(extensionUri: vscode.Uri): vscode.Uri {
  const packaged = vscode.Uri.joinPath(extensionUri, 'media', 'uPlot.iife.min.js');
  if (existsSync(packaged.fsPath)) return vscode.Uri.joinPath(extensionUri, 'media');
  return vscode.Uri.joinPath(extensionUri, '..', 'node_modules', 'uplot', 'dist');
}

/** The panel's title for a scope: the service, the frame, or the namespace. */
function scopeTitle(scope: MetricsScope, frameLabel?: string): string {
  const where = scope.frame === undefined ? scope.namespace : `${frameLabel ?? scope.frame}`;
  return scope.service === undefined ? `Metrics: ${where}` : `Metrics: ${scope.service} (${where})`;
}

/**
 * A webview with live charts (calls/s, p50/p99 latency, errors/s) of a service, a frame or a whole
 * namespace over the kept history (15 minutes). The charts are drawn by uPlot, bundled with the
 * extension (no CDN, so it works offline and in code-server), in the theme's colours; the numbers
 * come from {@link MetricsHistory}, which polls while the panel is open.
 */
export function showMetricsPanel(
  history: MetricsHistory,
  scope: MetricsScope,
  extensionUri: vscode.Uri,
  frameLabel?: string,
): vscode.WebviewPanel {
  const library = chartLibrary(extensionUri);
  const media = vscode.Uri.joinPath(extensionUri, 'media');
  const panel = vscode.window.createWebviewPanel(
    'kael.metrics',
    scopeTitle(scope, frameLabel),
    vscode.ViewColumn.Active,
    { enableScripts: true, localResourceRoots: [library, media], retainContextWhenHidden: false },
  );
  const webview = panel.webview;
  const nonce = randomBytes(16).toString('base64');
  const src = (base: vscode.Uri, file: string): string =>
    webview.asWebviewUri(vscode.Uri.joinPath(base, file)).toString();
  webview.html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${webview.cspSource} data:; style-src ${webview.cspSource} 'unsafe-inline'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${src(library, 'uPlot.min.css')}">
<title>${escapeHtml(panel.title)}</title>
</head>
<body>
<h2 id="title">${escapeHtml(panel.title)}</h2>
<div id="summary" aria-live="polite"></div>
<section><h3>Calls per second</h3><div id="calls" class="chart"></div></section>
<section><h3>Latency (ms): p50 and p99</h3><div id="latency" class="chart"></div></section>
<section><h3>Errors per second</h3><div id="errors" class="chart"></div></section>
<script nonce="${nonce}" src="${src(library, 'uPlot.iife.min.js')}"></script>
<script nonce="${nonce}" src="${src(media, 'metrics-view.js')}"></script>
</body>
</html>`;
  const id = `panel:${nonce}`;
  const post = (): void => {
    void webview.postMessage({ type: 'series', points: history.series(scope) });
  };
  const onUpdated = (): void => {
    if (panel.visible) post();
  };
  history.on('updated', onUpdated);
  history.watch(id, true);
  panel.onDidChangeViewState(() => {
    // Polls only while the panel can be seen (or the tree is visible).
    history.watch(id, panel.visible);
    if (panel.visible) post();
  });
  panel.onDidDispose(() => {
    history.off('updated', onUpdated);
    history.watch(id, false);
  });
  webview.onDidReceiveMessage((m: { type?: string }) => {
    if (m.type === 'ready') post();
  });
  return panel;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
