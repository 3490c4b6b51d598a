// Writes each session's DAP traffic to the file named by the trapdbg.logFile setting.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DapTrafficLog } from './dapTrafficLog';
import { expandSettingPath } from './adapterLocation';

/** Creates a logging tracker for sessions started while trapdbg.logFile is set. */
export class TrafficLogTrackerFactory implements vscode.DebugAdapterTrackerFactory {
  constructor(private readonly log: vscode.OutputChannel) {}

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker | undefined {
    const setting = vscode.workspace.getConfiguration('trapdbg', session.workspaceFolder?.uri).get<string>('logFile', '');
    if (setting.trim() === '') return undefined;
    const folder = (session.workspaceFolder ?? vscode.workspace.workspaceFolders?.[0])?.uri.fsPath;
    const file = path.normalize(expandSettingPath(setting, folder));
    let traffic: DapTrafficLog;
    try {
      traffic = new DapTrafficLog(file, session.id);
    } catch (e) {
      void vscode.window.showWarningMessage(`TrapDebugger cannot write the DAP log ${file}: ${(e as Error).message}`);
      return undefined;
    }
    this.log.appendLine(`${session.name}: logging DAP traffic to ${file}`);
    return {
      onWillReceiveMessage: (message: unknown) => traffic.record('toAdapter', message),
      onDidSendMessage: (message: unknown) => traffic.record('fromAdapter', message),
      onError: (error: Error) => traffic.record('fromAdapter', { type: 'trackerError', message: error.message }),
      onExit: (code: number | undefined, signal: string | undefined) => traffic.record('fromAdapter', { type: 'adapterExit', code, signal }),
      onWillStopSession: () => traffic.close(),
    };
  }
}
