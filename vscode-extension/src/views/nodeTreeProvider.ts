// Renders TreeNode rows (built by the pure models) in a VS Code tree view.
import * as vscode from 'vscode';
import type { SourceLocation, TreeNode } from './treeNode';

/** The command a row runs when clicked to open its source line. */
export const openSourceLineCommand = 'trapdbg.openSourceLine';

/** A tree data provider over a replaceable list of TreeNode roots. */
export class NodeTreeProvider implements vscode.TreeDataProvider<TreeNode> {
  private roots: TreeNode[] = [];
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  /** Replaces every row. */
  setRoots(roots: TreeNode[]): void {
    this.roots = roots;
    this.changed.fire(undefined);
  }

  /** The current top-level rows. */
  get rootNodes(): readonly TreeNode[] {
    return this.roots;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const state =
      node.children.length === 0
        ? vscode.TreeItemCollapsibleState.None
        : node.expanded
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, state);
    item.id = node.id;
    if (node.description) item.description = node.description;
    if (node.tooltip) item.tooltip = node.tooltip;
    if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon);
    if (node.location) {
      item.command = { command: openSourceLineCommand, title: 'Open Source Line', arguments: [node.location] };
      item.resourceUri = vscode.Uri.file(node.location.path);
      // resourceUri would replace the codicon with a file icon; keep the codicon.
      if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon);
    }
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    return node ? node.children : this.roots;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Opens a file at a 1-based line (and column), selecting the line's start. */
export async function openSourceLine(location: SourceLocation): Promise<void> {
  const uri = vscode.Uri.file(location.path);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    void vscode.window.showWarningMessage(`The source file ${location.path} is not on this machine; add a "sourceMap" entry to find it.`);
    return;
  }
  const position = new vscode.Position(Math.max(0, location.line - 1), Math.max(0, (location.column ?? 1) - 1));
  await vscode.window.showTextDocument(uri, { selection: new vscode.Range(position, position), preview: true });
}
