import * as vscode from 'vscode';
import type { PlacedIssue } from '../shared/protocol';

type Node = { file: string; issues: PlacedIssue[] } | PlacedIssue;

/** The Issues view: the placed issues grouped by file, files by their latest issue, newest first. */
export class IssuesView implements vscode.TreeDataProvider<Node> {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private groups: { file: string; issues: PlacedIssue[] }[] = [];

  show(issues: PlacedIssue[]): void {
    const byFile = new Map<string, PlacedIssue[]>();
    for (const issue of [...issues].sort((a, b) => b.lastSeen.localeCompare(a.lastSeen)))
      byFile.set(issue.uri, [...(byFile.get(issue.uri) ?? []), issue]);
    this.groups = [...byFile].map(([file, list]) => ({ file, issues: list }));
    this.emitter.fire();
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.groups;
    return 'file' in node ? node.issues : [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if ('file' in node) {
      const item = new vscode.TreeItem(vscode.Uri.parse(node.file), vscode.TreeItemCollapsibleState.Expanded);
      item.description = `${node.issues.length}`;
      return item;
    }
    const item = new vscode.TreeItem(`${node.shortId} ${node.title}`);
    item.description = `line ${node.line + 1}`;
    item.iconPath = new vscode.ThemeIcon(
      node.level === 'warning' ? 'warning' : node.level === 'info' ? 'info' : 'error',
    );
    item.contextValue = 'faultlineIssue';
    item.command = {
      title: 'Open',
      command: 'vscode.open',
      arguments: [vscode.Uri.parse(node.uri), { selection: new vscode.Range(node.line, 0, node.line, 0) }],
    };
    return item;
  }
}
