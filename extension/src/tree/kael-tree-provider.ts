import os from 'node:os';
import * as vscode from 'vscode';
import type { NamespaceSessions } from '../client/namespace-sessions.js';
import { buildTree, findNode, problemActions, rowsSignature } from './tree-model.js';
import type { Grouping, NamespaceState, Tone, TreeNode } from './tree-model.js';

/** Refreshes are coalesced: membership events can arrive in bursts. */
const REFRESH_DEBOUNCE_MS = 100;

/** Theme colours of the icon tones (so every theme, light or dark or high contrast, fits). */
const TONE_COLORS: Record<Tone, string> = {
  active: 'charts.yellow',
  passed: 'testing.iconPassed',
  failed: 'testing.iconFailed',
  stale: 'disabledForeground',
  warning: 'list.warningForeground',
};

/** The Kael view: namespaces → frames → packages (or → packages → frames), live from membership events. */
export class KaelTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private grouping: Grouping = 'frame';
  private timer: NodeJS.Timeout | undefined;
  private roots: TreeNode[] = [];
  /** What the rows drawn last show (see {@link rowsSignature}). */
  private shown: string | undefined;
  private readonly onSessions = (): void => this.scheduleRefresh();
  private readonly listeners: ((states: NamespaceState[]) => void)[] = [];
  private readonly localHost = os.hostname();
  private readonly describers: ((node: TreeNode) => string | undefined)[] = [];

  constructor(private readonly sessions: NamespaceSessions) {
    sessions.on('changed', this.onSessions);
  }

  /** Called with the namespace states after every refresh (view message, status bar). */
  onRefresh(listener: (states: NamespaceState[]) => void): void {
    this.listeners.push(listener);
  }

  /** Adds live text (metrics) to rows' descriptions; {@link redraw} shows new values. */
  addDescriber(describe: (node: TreeNode) => string | undefined): void {
    this.describers.push(describe);
  }

  /**
   * Redraws the rows whose live text changed, only those: the rest of the tree (and a row whose
   * numbers stayed the same) is not re-rendered every second.
   */
  redraw(): void {
    const changed: TreeNode[] = [];
    const visit = (nodes: readonly TreeNode[]): void => {
      for (const n of nodes) {
        const text = this.describers.map((d) => d(n) ?? '').join('  ');
        if (text !== '' && this.liveText.get(n.id) !== text) changed.push(n);
        visit(n.children);
      }
    };
    visit(this.roots);
    if (changed.length > 0) this.changed.fire(changed);
  }

  /** The live text each row was last drawn with (by node id). */
  private readonly liveText = new Map<string, string>();

  setGrouping(grouping: Grouping): void {
    this.grouping = grouping;
    this.refresh();
  }

  /**
   * Rebuilds the tree, and redraws it only when a row would look different. Frames announce
   * themselves every heartbeat with fields that always move (a crontab's lease age), and every
   * redraw makes VS Code forget its rows for a moment: a context-menu command picked in that
   * moment would get no node and act as if run from the palette.
   */
  refresh(): void {
    const states = this.sessions.states();
    this.roots = this.build(states);
    for (const l of this.listeners) l(states);
    const shown = rowsSignature(this.roots);
    if (shown === this.shown) return;
    this.shown = shown;
    this.changed.fire(undefined);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    // Expanded by default: the picture (frames, services, who runs the crontab) should show at a glance.
    // A namespace is always expandable: VS Code remembers the state an id first had, and a namespace
    // starts without frames.
    const expandable = node.children.length > 0 || node.context.startsWith('namespace');
    const item = new vscode.TreeItem(
      node.label,
      expandable ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
    );
    item.id = node.id;
    const live = this.describers.map((d) => d(node)).filter((t) => t !== undefined);
    this.liveText.set(node.id, this.describers.map((d) => d(node) ?? '').join('  '));
    const description = [node.description, ...live].filter((t) => t !== undefined && t !== '').join('  ');
    if (description !== '') item.description = description;
    // The tooltip is left unset: resolveTreeItem fills it on hover, from the newest snapshots.
    item.iconPath =
      node.tone === undefined
        ? new vscode.ThemeIcon(node.icon)
        : new vscode.ThemeIcon(node.icon, new vscode.ThemeColor(TONE_COLORS[node.tone]));
    item.contextValue = node.context;
    if (node.command !== undefined) item.command = { command: node.command, title: node.label };
    item.accessibilityInformation = {
      label: [node.label, node.description].filter((x) => x !== undefined && x !== '').join(', '),
    };
    return item;
  }

  /** The tooltip of a row, built when the pointer rests on it (times and heartbeats as of now). */
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    const tooltip = findNode(this.build(this.sessions.states()), node.id)?.tooltip ?? node.tooltip;
    if (tooltip !== undefined) {
      const md = new vscode.MarkdownString(tooltip);
      md.supportThemeIcons = true;
      item.tooltip = md;
    }
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    return node === undefined ? this.roots : node.children;
  }

  getParent(node: TreeNode): TreeNode | undefined {
    const find = (list: TreeNode[], parent: TreeNode | undefined): TreeNode | undefined | null => {
      for (const n of list) {
        if (n.id === node.id) return parent;
        const hit = find(n.children, n);
        if (hit !== null) return hit;
      }
      return null;
    };
    return find(this.roots, undefined) ?? undefined;
  }

  private build(states: readonly NamespaceState[]): TreeNode[] {
    // Every namespace unreachable: the message says why in full; the rows are the ways out.
    const allFailing = states.length > 0 && states.every((s) => s.connection === 'error');
    return allFailing ? problemActions() : buildTree(states, this.grouping, { localHost: this.localHost });
  }

  dispose(): void {
    this.sessions.off('changed', this.onSessions);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.changed.dispose();
  }

  private scheduleRefresh(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, REFRESH_DEBOUNCE_MS);
  }
}
