// Starts `trapdbg dap` as the debug adapter, speaking DAP over stdin/stdout.
import * as vscode from 'vscode';
import { locateAdapter, repairBundledPermissions, type AdapterLocation } from './adapterLocation';
import type { AdapterServer } from './dapFraming';
import { TcpDebugAdapter } from './tcpDebugAdapter';

/** Finds the adapter executable from the current settings. */
export function currentAdapterLocation(context: vscode.ExtensionContext, folder?: vscode.WorkspaceFolder): AdapterLocation {
  const setting = vscode.workspace.getConfiguration('trapdbg', folder?.uri).get<string>('adapterPath', '');
  repairBundledPermissions(context.extensionPath, process.platform, process.arch);
  const search = {
    setting,
    extensionPath: context.extensionPath,
    platform: process.platform,
    arch: process.arch,
    searchPath: process.env['PATH'] ?? '',
  };
  const workspaceFolder = (folder ?? vscode.workspace.workspaceFolders?.[0])?.uri.fsPath;
  return locateAdapter(workspaceFolder ? { ...search, workspaceFolder } : search);
}

/** Runs the adapter executable as `trapdbg dap` for each trapdbg session. */
export class AdapterDescriptorFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.OutputChannel,
  ) {}

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.DebugAdapterDescriptor {
    // Validated by the configuration provider: { host, port, authToken? }.
    const server = session.configuration['trapdbgServer'] as AdapterServer | undefined;
    if (server) {
      this.log.appendLine(`${session.name}: connecting to trapdbg dap at ${server.host}:${server.port}`);
      return new vscode.DebugAdapterInlineImplementation(new TcpDebugAdapter(server));
    }
    const location = currentAdapterLocation(this.context, session.workspaceFolder);
    this.log.appendLine(`${session.name}: starting ${location.path} dap (${location.origin})`);
    return new vscode.DebugAdapterExecutable(location.path, ['dap']);
  }
}
