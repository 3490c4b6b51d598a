// Supplies a launch configuration when there is no launch.json, and checks every configuration
// before a session starts so mistakes are reported in words, not as an adapter failure.
import * as vscode from 'vscode';
import { ConfigurationError, defaultLaunchConfiguration, isEmptyConfiguration, unknownAttributes, validateConfiguration } from './debugConfiguration';

/** The DebugConfigurationProvider of the trapdbg debug type. */
export class TrapDebugConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(private readonly log: vscode.OutputChannel) {}

  async resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    if (!isEmptyConfiguration(config)) return config;
    // No launch.json: ask which program to run.
    const picked = await vscode.window.showOpenDialog({
      title: 'Select the program to debug',
      openLabel: 'Debug',
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: false,
      ...(folder ? { defaultUri: folder.uri } : {}),
    });
    const program = picked?.[0]?.fsPath;
    if (!program) return undefined;
    return defaultLaunchConfiguration(program, folder?.uri.fsPath) as vscode.DebugConfiguration;
  }

  async resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | null | undefined> {
    const unknown = unknownAttributes(config);
    if (unknown.length > 0) this.log.appendLine(`${config.name}: ignoring unknown attributes ${unknown.join(', ')}`);
    try {
      return validateConfiguration(config, undefined, folder?.uri.fsPath) as vscode.DebugConfiguration;
    } catch (e) {
      if (!(e instanceof ConfigurationError)) throw e;
      const choice = await vscode.window.showErrorMessage(`TrapDebugger: ${e.message}`, 'Open launch.json');
      if (choice === 'Open launch.json') await vscode.commands.executeCommand('workbench.action.debug.configure');
      return undefined;
    }
  }
}
