// The "Trap Sites" view: every trap instruction of the loaded modules, per module and function.
import * as vscode from 'vscode';
import type { TrapSiteInfo } from '../protocol/trapRequests';
import { buildTrapSiteTree } from '../traps/trapSiteTree';
import { NodeTreeProvider } from './nodeTreeProvider';
import { plural } from './treeNode';

/** The Trap Sites tree view and what it currently shows. */
export class TrapSitesView implements vscode.Disposable {
  static readonly viewId = 'trapdbg.trapSites';
  private readonly provider = new NodeTreeProvider();
  private readonly view: vscode.TreeView<unknown>;

  constructor() {
    this.view = vscode.window.createTreeView(TrapSitesView.viewId, { treeDataProvider: this.provider, showCollapseAll: true });
  }

  /** Shows sites, with a line saying where they came from (a session or a binary). */
  show(sites: readonly TrapSiteInfo[], origin: string): void {
    this.provider.setRoots(buildTrapSiteTree(sites));
    this.view.message = sites.length === 0 ? `${origin}: no trap instructions found.` : `${origin}: ${plural(sites.length, 'trap site')}.`;
  }

  /** Shows only a message (an error, or that sites are being read). */
  showMessage(message: string): void {
    this.provider.setRoots([]);
    this.view.message = message;
  }

  /** Whether any site is shown. */
  get hasSites(): boolean {
    return this.provider.rootNodes.length > 0;
  }

  /** Brings the view into sight. */
  async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${TrapSitesView.viewId}.focus`);
  }

  dispose(): void {
    this.view.dispose();
    this.provider.dispose();
  }
}
