// "TrapDebugger: Save Core File…": asks where, then has the adapter write a core of the stopped process (`saveCore`).
import * as vscode from 'vscode';
import { describeSavedCore, readSaveCoreBody, suggestedCoreName } from '../protocol/coreRequests';

/** Saves a core of the process of the active trapdbg session, which must be stopped. */
export async function saveCore(debugType: string): Promise<void> {
  const session = vscode.debug.activeDebugSession;
  if (session?.type !== debugType) {
    void vscode.window.showErrorMessage('TrapDebugger: start a TrapDebugger session and stop the program before saving a core file.');
    return;
  }
  const program = typeof session.configuration['program'] === 'string' ? (session.configuration['program'] as string) : undefined;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: 'Save a core file of the stopped process',
    saveLabel: 'Save Core',
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, suggestedCoreName(program, undefined)) } : {}),
  });
  if (!target) return;
  try {
    const saved = readSaveCoreBody(await session.customRequest('saveCore', { path: target.fsPath }));
    void vscode.window.showInformationMessage(describeSavedCore(saved));
  } catch (e) {
    void vscode.window.showErrorMessage(`TrapDebugger: ${(e as Error).message}`);
  }
}
