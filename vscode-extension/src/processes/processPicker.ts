// The `trapdbg.pickProcess` command behind "${command:pickProcess}": a list of running processes, on this machine or,
// when the configuration names a remote agent, on the agent's host.
import * as vscode from 'vscode';
import { ConfigurationError, readRemote } from '../config/debugConfiguration';
import { processPickRows, readProcesses, type ProcessPickRow } from './procfs';
import { describeRemote, listRemoteProcesses } from './remoteProcesses';

/** Shows running processes and returns the chosen pid as a string, or undefined when cancelled. VS Code passes the
 *  debug configuration being resolved; <adapterPath> finds the trapdbg executable that reaches a remote agent. */
export async function pickProcess(config: { remote?: unknown } | undefined, adapterPath: () => string): Promise<string | undefined> {
  let rows: ProcessPickRow[] | Promise<ProcessPickRow[]>;
  let title = 'Attach to Process';
  try {
    if (config?.remote !== undefined) {
      const remote = readRemote(config.remote);
      title = `Attach to Process on ${describeRemote(remote)}`;
      rows = listRemoteProcesses(adapterPath(), remote);
    } else rows = processPickRows(readProcesses(), process.pid);
  } catch (e) {
    const prefix = e instanceof ConfigurationError ? 'TrapDebugger' : 'TrapDebugger cannot list processes';
    void vscode.window.showErrorMessage(`${prefix}: ${(e as Error).message}`);
    return undefined;
  }
  let picked: ProcessPickRow | undefined;
  try {
    picked = await vscode.window.showQuickPick(rows, {
      title,
      placeHolder: 'Type a name, pid, user or part of the command line',
      matchOnDescription: true,
      matchOnDetail: true,
    });
  } catch (e) {
    void vscode.window.showErrorMessage(`TrapDebugger ${(e as Error).message}`);
    return undefined;
  }
  return picked?.pid;
}
