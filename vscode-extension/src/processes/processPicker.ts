// The `trapdbg.pickProcess` command behind "${command:pickProcess}": a list of running processes.
import * as vscode from 'vscode';
import { processPickRows, readProcesses } from './procfs';

/** Shows running processes and returns the chosen pid as a string, or undefined when cancelled. */
export async function pickProcess(): Promise<string | undefined> {
  let rows;
  try {
    rows = processPickRows(readProcesses(), process.pid);
  } catch (e) {
    void vscode.window.showErrorMessage(`TrapDebugger cannot list processes: ${(e as Error).message}`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(rows, {
    title: 'Attach to Process',
    placeHolder: 'Type a name, pid, user or part of the command line',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.pid;
}
