// The "Trap Origins" view: at a trap stop, the checks that may have fired, most likely first.
import * as vscode from 'vscode';
import type { TrapOriginsBody } from '../protocol/trapRequests';
import { buildTrapOriginList } from '../traps/trapOriginList';
import { NodeTreeProvider } from './nodeTreeProvider';

/** The Trap Origins tree view. */
export class TrapOriginsView implements vscode.Disposable {
  static readonly viewId = 'trapdbg.trapOrigins';
  private readonly provider = new NodeTreeProvider();
  private readonly view: vscode.TreeView<unknown>;

  constructor() {
    this.view = vscode.window.createTreeView(TrapOriginsView.viewId, { treeDataProvider: this.provider });
  }

  /** Shows the origins of the current stop. */
  show(body: TrapOriginsBody): void {
    const list = buildTrapOriginList(body);
    this.provider.setRoots(list.nodes);
    this.view.message = list.headline || undefined;
  }

  /** Shows only a message. */
  showMessage(message: string): void {
    this.provider.setRoots([]);
    this.view.message = message;
  }

  /** Empties the view (the program is running or gone). */
  clear(): void {
    this.provider.setRoots([]);
    this.view.message = undefined;
  }

  dispose(): void {
    this.view.dispose();
    this.provider.dispose();
  }
}
