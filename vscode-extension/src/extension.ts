// Entry point: registers the trapdbg debug type, the attach picker, the trap views and commands.
import * as vscode from 'vscode';
import { AdapterDescriptorFactory, currentAdapterLocation } from './adapter/adapterDescriptorFactory';
import { TrafficLogTrackerFactory } from './adapter/trafficLogTracker';
import { TrapDebugConfigurationProvider } from './config/configurationProvider';
import { saveCore } from './cores/saveCoreCommand';
import { pickProcess } from './processes/processPicker';
import { listBinaryTrapSites } from './traps/binaryTrapSites';
import { TrapSessionWatcher } from './traps/trapSessionWatcher';
import { openSourceLine, openSourceLineCommand } from './views/nodeTreeProvider';
import type { SourceLocation } from './views/treeNode';
import { TrapOriginsView } from './views/trapOriginsView';
import { TrapSitesView } from './views/trapSitesView';

const debugType = 'trapdbg';

async function showBinaryTrapSites(context: vscode.ExtensionContext, sites: TrapSitesView, uri?: vscode.Uri): Promise<void> {
  let binary = uri?.fsPath;
  if (!binary) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Select a binary to list its trap sites',
      openLabel: 'Show Trap Sites',
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: false,
    });
    binary = picked?.[0]?.fsPath;
  }
  if (!binary) return;
  const target = binary;
  let adapter;
  try {
    adapter = currentAdapterLocation(context);
  } catch (e) {
    void vscode.window.showErrorMessage((e as Error).message);
    return;
  }
  await sites.reveal();
  sites.showMessage(`${target}: reading trap sites…`);
  await vscode.window.withProgress({ location: { viewId: TrapSitesView.viewId }, title: 'Reading trap sites' }, async () => {
    try {
      sites.show(await listBinaryTrapSites(adapter.path, target), target);
    } catch (e) {
      sites.showMessage((e as Error).message);
      void vscode.window.showErrorMessage((e as Error).message);
    }
  });
}

/** Called by VS Code when the extension activates. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('TrapDebugger');
  const sites = new TrapSitesView();
  const origins = new TrapOriginsView();
  const watcher = new TrapSessionWatcher(sites, origins, log);
  context.subscriptions.push(
    log,
    sites,
    origins,
    watcher,
    vscode.debug.registerDebugConfigurationProvider(debugType, new TrapDebugConfigurationProvider(log)),
    vscode.debug.registerDebugAdapterDescriptorFactory(debugType, new AdapterDescriptorFactory(context, log)),
    vscode.debug.registerDebugAdapterTrackerFactory(debugType, watcher),
    vscode.debug.registerDebugAdapterTrackerFactory(debugType, new TrafficLogTrackerFactory(log)),
    vscode.commands.registerCommand('trapdbg.pickProcess', pickProcess),
    vscode.commands.registerCommand(openSourceLineCommand, (location: SourceLocation) => openSourceLine(location)),
    vscode.commands.registerCommand('trapdbg.showBinaryTrapSites', (uri?: vscode.Uri) => showBinaryTrapSites(context, sites, uri)),
    vscode.commands.registerCommand('trapdbg.saveCore', () => saveCore(debugType)),
    vscode.commands.registerCommand('trapdbg.refreshTrapSites', async () => {
      const session = vscode.debug.activeDebugSession;
      if (session?.type === debugType) await watcher.refreshSites(session, {}, true);
    }),
  );
}

/** Called by VS Code when the extension deactivates; subscriptions clean up. */
export function deactivate(): void {}
