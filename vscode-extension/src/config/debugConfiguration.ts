// Default and validation of `trapdbg` launch.json configurations, free of the VS Code API so
// that it can be tested on its own. Every error is one sentence naming the attribute to fix.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The subset of a VS Code DebugConfiguration this module reads. */
export interface DebugConfigurationLike {
  type?: string;
  request?: string;
  name?: string;
  [key: string]: unknown;
}

/** Thrown when a configuration cannot be started; the message says what to change. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** What validation needs to know about the file system. */
export interface FileProbe {
  kind(filePath: string): 'file' | 'directory' | 'missing' | 'other';
  isExecutable(filePath: string): boolean;
}

/** The real file system. */
export const nodeFileProbe: FileProbe = {
  kind(filePath) {
    try {
      const stat = fs.statSync(filePath);
      return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other';
    } catch {
      return 'missing';
    }
  },
  isExecutable(filePath) {
    try {
      fs.accessSync(filePath, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
};

/** Whether VS Code passed an empty configuration, which it does when there is no launch.json. */
export function isEmptyConfiguration(config: DebugConfigurationLike): boolean {
  return !config.type && !config.request && !config.name;
}

/** The configuration used when there is no launch.json: launch the given program. */
export function defaultLaunchConfiguration(program: string, cwd?: string): DebugConfigurationLike {
  const config: DebugConfigurationLike = { type: 'trapdbg', request: 'launch', name: 'Launch', program, args: [] };
  if (cwd) config['cwd'] = cwd;
  return config;
}

const consoleAttributes = ['initCommands', 'preRunCommands', 'stopCommands', 'commandEscapePrefix', 'relativePathBase'];
const forkAttributes = ['followFork', 'detachOnFork', 'forkEvents'];
const launchAttributes = new Set(['program', 'coreFile', 'args', 'cwd', 'env', 'envFile', 'stopOnEntry', 'disableASLR', 'sourceMap', 'console', 'terminal', 'runInTerminal', 'stdio',
  ...consoleAttributes, ...forkAttributes, 'terminateDebuggee', 'trapdbgServer', 'remote', 'noDebug']);
const attachAttributes = new Set(['pid', 'program', 'waitFor', 'stopOnEntry', 'sourceMap', ...consoleAttributes, ...forkAttributes, 'trapdbgServer', 'remote']);

/** Where the remote agent is: a command whose stdin/stdout reach `trapdbg agent --stdio`, or a TCP agent's address and token file. */
export type RemoteAgent = { pipe: string[]; localFiles?: string[] } | { address: string; tokenFile: string; localFiles?: string[] };

/** Checks the `remote` attribute: exactly one of {"pipe": [command, args…]} and {"address": "host:port", "tokenFile": path}. */
export function readRemote(value: unknown): RemoteAgent {
  const fault = '"remote" must be {"pipe": ["ssh", "host", "trapdbg", "agent", "--stdio"]} or {"address": "127.0.0.1:4712", "tokenFile": "/path/to/token"}.';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigurationError(fault);
  const { pipe, address, tokenFile, localFiles } = value as Record<string, unknown>;
  const unknown = Object.keys(value).find((k) => !['pipe', 'address', 'tokenFile', 'localFiles'].includes(k));
  if (unknown) throw new ConfigurationError(`"remote" has an unknown attribute "${unknown}" (use pipe, or address and tokenFile, and localFiles).`);
  if ((pipe === undefined) === (address === undefined)) throw new ConfigurationError(fault);
  if (localFiles !== undefined && (!Array.isArray(localFiles) || localFiles.some((d) => typeof d !== 'string' || !path.isAbsolute(d))))
    throw new ConfigurationError('"remote.localFiles" must be an array of absolute directories holding local copies of the remote binaries.');
  const extra = localFiles === undefined ? {} : { localFiles: localFiles as string[] };
  if (pipe !== undefined) {
    if (!Array.isArray(pipe) || pipe.length === 0 || pipe.some((w) => typeof w !== 'string' || w === ''))
      throw new ConfigurationError('"remote.pipe" must be a command and its arguments that start the agent, e.g. ["ssh", "host", "trapdbg", "agent", "--stdio"].');
    return { pipe: pipe as string[], ...extra };
  }
  if (typeof address !== 'string' || !/^(\[[0-9a-fA-F:.]+\]|[^\s:]+):\d{1,5}$/.test(address) || Number(address.slice(address.lastIndexOf(':') + 1)) > 65535)
    throw new ConfigurationError(`"remote.address" must be host:port of an agent started with 'trapdbg agent --listen', not ${JSON.stringify(address)}.`);
  if (typeof tokenFile !== 'string' || tokenFile === '')
    throw new ConfigurationError('"remote.tokenFile" must name the file holding the token the agent printed (or was given with --token-file).');
  return { address, tokenFile, ...extra };
}

/** Normalises the `trapdbgServer` attribute (a port, or {host, port, authToken}) to {host, port, authToken?}. */
export function readAdapterServer(value: unknown): { host: string; port: number; authToken?: string } {
  const fault = '"trapdbgServer" must be a port number or {"port": N, "host": "127.0.0.1", "authToken": "..."}.';
  const server = typeof value === 'number' ? { port: value } : value;
  if (typeof server !== 'object' || server === null || Array.isArray(server)) throw new ConfigurationError(fault);
  const { port, host, authToken } = server as Record<string, unknown>;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigurationError(`"trapdbgServer.port" must be a TCP port from 1 to 65535, not ${JSON.stringify(port)}.`);
  if (host !== undefined && (typeof host !== 'string' || host === '')) throw new ConfigurationError('"trapdbgServer.host" must be a host name or address.');
  if (authToken !== undefined && typeof authToken !== 'string') throw new ConfigurationError('"trapdbgServer.authToken" must be the token string trapdbg dap printed.');
  const result: { host: string; port: number; authToken?: string } = { host: (host as string | undefined) ?? '127.0.0.1', port };
  if (authToken) result.authToken = authToken;
  return result;
}

function checkBoolean(config: DebugConfigurationLike, key: string): void {
  const v = config[key];
  if (v !== undefined && typeof v !== 'boolean') throw new ConfigurationError(`"${key}" must be true or false, not ${JSON.stringify(v)}.`);
}

function checkChoice(config: DebugConfigurationLike, key: string, choices: string[]): void {
  const v = config[key];
  if (v !== undefined && !choices.includes(v as string))
    throw new ConfigurationError(`"${key}" must be ${choices.map((c) => JSON.stringify(c)).join(' or ')}, not ${JSON.stringify(v)}.`);
}

/** The fork attributes, as the adapter checks them: followFork, forkEvents, and detachOnFork (false needs trapdbg run/attach). */
function checkForkAttributes(config: DebugConfigurationLike): void {
  checkChoice(config, 'followFork', ['parent', 'child']);
  checkChoice(config, 'forkEvents', ['crashes', 'all']);
  checkBoolean(config, 'detachOnFork');
  if (config['detachOnFork'] === false)
    throw new ConfigurationError('"detachOnFork": false (debugging both processes of a fork) is not available in a debug session yet; the process not followed is watched for a crash (trapdbg run and attach have --detach-on-fork off).');
}

function checkSourceMap(config: DebugConfigurationLike): void {
  const map = config['sourceMap'];
  if (map === undefined) return;
  if (Array.isArray(map)) {
    map.forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string')
        throw new ConfigurationError(`"sourceMap[${i}]" must be a pair of paths ["/build/prefix", "/local/prefix"].`);
    });
    return;
  }
  if (typeof map !== 'object' || map === null) throw new ConfigurationError('"sourceMap" must be an object mapping build path prefixes to local paths.');
  for (const [from, to] of Object.entries(map)) {
    if (typeof to !== 'string') throw new ConfigurationError(`"sourceMap" entry "${from}" must map to a path string.`);
  }
}

function checkStringArray(config: DebugConfigurationLike, key: string, example: string): void {
  const v = config[key];
  if (v === undefined) return;
  if (!Array.isArray(v) || v.some((c) => typeof c !== 'string'))
    throw new ConfigurationError(`"${key}" must be an array of Debug Console commands, e.g. ${example}.`);
}

/** The attributes both requests share: startup commands, the command prefix and relativePathBase. */
function checkConsoleAttributes(config: DebugConfigurationLike): void {
  checkStringArray(config, 'initCommands', '["help"]');
  checkStringArray(config, 'preRunCommands', '["info sharedlibrary"]');
  checkStringArray(config, 'stopCommands', '["bt 5", "info registers rip"]');
  const prefix = config['commandEscapePrefix'];
  if (prefix !== undefined && typeof prefix !== 'string') throw new ConfigurationError('"commandEscapePrefix" must be a string, e.g. "`" (empty: every console line is a command).');
  const base = config['relativePathBase'];
  if (base !== undefined && (typeof base !== 'string' || !path.isAbsolute(base)))
    throw new ConfigurationError(`"relativePathBase" must be an absolute directory, not ${JSON.stringify(base)}.`);
}

const consoleKinds = ['internalConsole', 'integratedTerminal', 'externalTerminal'];
const terminalKinds = ['console', 'integrated', 'external'];

/** Checks `console` (and CodeLLDB's `terminal`), `stdio` and `envFile`. */
function checkProgramIo(config: DebugConfigurationLike, probe: FileProbe | undefined, base: string | undefined): void {
  const consoleKind = config['console'];
  if (consoleKind !== undefined && !consoleKinds.includes(consoleKind as string))
    throw new ConfigurationError(`"console" must be ${consoleKinds.map((k) => `"${k}"`).join(', ')}, not ${JSON.stringify(consoleKind)}.`);
  const terminal = config['terminal'];
  if (terminal !== undefined && !terminalKinds.includes(terminal as string))
    throw new ConfigurationError(`"terminal" must be ${terminalKinds.map((k) => `"${k}"`).join(', ')}, not ${JSON.stringify(terminal)}.`);
  checkBoolean(config, 'runInTerminal');
  const stdio = config['stdio'];
  if (stdio !== undefined && stdio !== null) {
    const fault = '"stdio" must be a path, an array [stdin, stdout, stderr] of paths or nulls, or {"stdin": …, "stdout": …, "stderr": …}.';
    let entries: [string, unknown][];
    if (typeof stdio === 'string') entries = [['stdin', stdio], ['stdout', stdio], ['stderr', stdio]];
    else if (Array.isArray(stdio)) {
      if (stdio.length > 3) throw new ConfigurationError(`"stdio" lists ${stdio.length} paths; give at most three (stdin, stdout, stderr).`);
      entries = stdio.map((v, i): [string, unknown] => [['stdin', 'stdout', 'stderr'][i] ?? 'stdin', v]);
    } else if (typeof stdio === 'object') {
      entries = Object.entries(stdio);
      const unknown = entries.find(([k]) => !['stdin', 'stdout', 'stderr'].includes(k));
      if (unknown) throw new ConfigurationError(`"stdio" has an unknown stream "${unknown[0]}" (use stdin, stdout and stderr).`);
    } else throw new ConfigurationError(fault);
    for (const [stream, value] of entries) {
      if (value === null) continue;
      if (typeof value !== 'string' || value === '') throw new ConfigurationError(`"stdio" ${stream} must be a file path or null, not ${JSON.stringify(value)}.`);
      if (stream === 'stdin' && probe && !value.startsWith('/dev/')) {
        const input = base && !path.isAbsolute(value) ? path.resolve(base, value) : value;
        if (probe.kind(input) === 'missing') throw new ConfigurationError(`The stdin file "${input}" given in "stdio" does not exist.`);
      }
    }
  }
  const envFile = config['envFile'];
  if (envFile !== undefined) {
    if (typeof envFile !== 'string' || envFile === '') throw new ConfigurationError('"envFile" must be the path of a file of NAME=value lines.');
    const file = base && !path.isAbsolute(envFile) ? path.resolve(base, envFile) : envFile;
    if (probe && probe.kind(file) !== 'file') throw new ConfigurationError(`The envFile "${file}" ${probe.kind(file) === 'missing' ? 'does not exist' : 'is not a file'}; fix "envFile".`);
  }
}

function requireProgramFile(program: string, probe: FileProbe | undefined, purpose: string): void {
  if (!probe) return;
  const kind = probe.kind(program);
  if (kind === 'missing') throw new ConfigurationError(`The program "${program}" does not exist; build it or fix "program" in launch.json.`);
  if (kind !== 'file') throw new ConfigurationError(`The program "${program}" is not a regular file; "program" must name an executable.`);
  if (!probe.isExecutable(program)) throw new ConfigurationError(`The program "${program}" is not executable, so it cannot be ${purpose}.`);
}

function resolveProgram(program: string, base: string | undefined): string {
  return base && !path.isAbsolute(program) ? path.resolve(base, program) : program;
}

/** A launch with `coreFile` opens the core instead of running the program: `program` is optional (the core names it) and
 *  need not be executable, and the attributes of a run (args, env, console, stdio) do not apply. */
function validateCoreLaunch(config: DebugConfigurationLike, probe: FileProbe | undefined, workspaceFolder: string | undefined): DebugConfigurationLike {
  const core = config['coreFile'];
  if (typeof core !== 'string' || core === '') throw new ConfigurationError('"coreFile" must be the path of a core file.');
  const cwd = config['cwd'];
  if (cwd !== undefined && typeof cwd !== 'string') throw new ConfigurationError('"cwd" must be a path string.');
  const base = typeof cwd === 'string' && cwd !== '' ? cwd : workspaceFolder;
  const result: DebugConfigurationLike = { ...config };
  const resolvedCore = probe ? resolveProgram(core, base) : core;
  if (probe) {
    const kind = probe.kind(resolvedCore);
    if (kind !== 'file') throw new ConfigurationError(`The core file "${resolvedCore}" ${kind === 'missing' ? 'does not exist' : 'is not a regular file'}; fix "coreFile".`);
  }
  result['coreFile'] = resolvedCore;
  const program = config['program'];
  if (program !== undefined && program !== '') {
    if (typeof program !== 'string') throw new ConfigurationError('"program" must be a path string.');
    const resolved = probe ? resolveProgram(program, base) : program;
    if (probe) {
      const kind = probe.kind(resolved);
      if (kind !== 'file') throw new ConfigurationError(`The program "${resolved}" ${kind === 'missing' ? 'does not exist' : 'is not a regular file'}; fix "program", or leave it out to use the path the core recorded.`);
    }
    result['program'] = resolved;
  }
  checkSourceMap(config);
  checkConsoleAttributes(config);
  return result;
}

function validateLaunch(config: DebugConfigurationLike, probe: FileProbe | undefined, workspaceFolder: string | undefined): DebugConfigurationLike {
  if (config['coreFile'] !== undefined) return validateCoreLaunch(config, probe, workspaceFolder);
  const program = config['program'];
  if (program === undefined || program === '') throw new ConfigurationError('A launch configuration needs "program": the path of the executable to debug (or "coreFile": a core file to open).');
  if (typeof program !== 'string') throw new ConfigurationError('"program" must be a path string.');
  const cwd = config['cwd'];
  if (cwd !== undefined && typeof cwd !== 'string') throw new ConfigurationError('"cwd" must be a path string.');
  if (typeof cwd === 'string' && cwd !== '' && probe) {
    const kind = probe.kind(cwd);
    if (kind !== 'directory') throw new ConfigurationError(`The working directory "${cwd}" ${kind === 'missing' ? 'does not exist' : 'is not a directory'}; fix "cwd".`);
  }
  const resolved = probe ? resolveProgram(program, typeof cwd === 'string' && cwd !== '' ? cwd : workspaceFolder) : program;
  requireProgramFile(resolved, probe, 'launched');
  const args = config['args'];
  if (args !== undefined) {
    if (!Array.isArray(args)) throw new ConfigurationError('"args" must be an array of strings, one per argument, e.g. ["--verbose", "input.txt"].');
    args.forEach((a, i) => {
      if (typeof a !== 'string') throw new ConfigurationError(`"args[${i}]" must be a string, not ${JSON.stringify(a)}.`);
    });
  }
  const env = config['env'];
  if (env !== undefined) {
    if (typeof env !== 'object' || env === null || Array.isArray(env))
      throw new ConfigurationError('"env" must be an object of variable names to string values (null removes a variable), e.g. {"LANG": "C"}.');
    for (const [name, value] of Object.entries(env)) {
      if (name === '' || name.includes('=')) throw new ConfigurationError(`"env" has an invalid variable name ${JSON.stringify(name)}.`);
      if (typeof value !== 'string' && value !== null) throw new ConfigurationError(`"env.${name}" must be a string (or null to remove it), not ${JSON.stringify(value)}.`);
    }
  }
  checkBoolean(config, 'stopOnEntry');
  checkBoolean(config, 'disableASLR');
  checkBoolean(config, 'terminateDebuggee');
  checkForkAttributes(config);
  checkSourceMap(config);
  checkProgramIo(config, probe, typeof cwd === 'string' && cwd !== '' ? cwd : workspaceFolder);
  checkConsoleAttributes(config);
  return { ...config, program: resolved };
}

/** Parses a pid given as a number or as the string `${command:pickProcess}` produced. */
export function parsePid(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 0x3fffffff) return value;
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
    const pid = Number.parseInt(value, 10);
    if (pid > 0 && pid <= 0x3fffffff) return pid;
  }
  throw new ConfigurationError(`"pid" must be a positive process id (or "\${command:pickProcess}"), not ${JSON.stringify(value)}.`);
}

function validateAttach(config: DebugConfigurationLike, probe: FileProbe | undefined, workspaceFolder: string | undefined): DebugConfigurationLike {
  const result: DebugConfigurationLike = { ...config };
  const pid = config['pid'];
  const program = config['program'];
  checkBoolean(config, 'waitFor');
  checkBoolean(config, 'stopOnEntry');
  checkForkAttributes(config);
  checkSourceMap(config);
  checkConsoleAttributes(config);
  if (program !== undefined && typeof program !== 'string') throw new ConfigurationError('"program" must be a path string.');
  if (pid !== undefined && pid !== '') {
    if (config['waitFor'] === true) throw new ConfigurationError('"waitFor" waits for a program to start, so it cannot be combined with "pid"; remove one of them.');
    result['pid'] = parsePid(pid);
  } else {
    delete result['pid'];
    if (config['waitFor'] !== true || !program)
      throw new ConfigurationError('An attach configuration needs "pid" (a process id or "${command:pickProcess}"), or "program" with "waitFor": true to wait for it to start.');
  }
  if (typeof program === 'string' && program !== '') {
    const resolved = probe ? resolveProgram(program, workspaceFolder) : program;
    // When waiting by name, the program must exist so the process can be recognised when it starts.
    if (config['waitFor'] === true) requireProgramFile(resolved, probe, 'waited for');
    result['program'] = resolved;
  }
  return result;
}

/** Checks a configuration after VS Code substituted its variables; returns it normalised (pid as a number, absolute program). */
export function validateConfiguration(config: DebugConfigurationLike, probe: FileProbe = nodeFileProbe, workspaceFolder?: string): DebugConfigurationLike {
  if (config.type !== undefined && config.type !== 'trapdbg') throw new ConfigurationError(`This configuration is of type "${config.type}", not "trapdbg".`);
  // With a remote server (trapdbgServer) or a remote agent the program and its files are on the other machine: only the
  // attribute types are checked here.
  const fileProbe = config['trapdbgServer'] === undefined && config['remote'] === undefined ? probe : undefined;
  let result: DebugConfigurationLike;
  if (config.request === 'launch') result = validateLaunch(config, fileProbe, workspaceFolder);
  else if (config.request === 'attach') result = validateAttach(config, fileProbe, workspaceFolder);
  else throw new ConfigurationError(`"request" must be "launch" or "attach", not ${JSON.stringify(config.request)}.`);
  if (config['trapdbgServer'] !== undefined) result['trapdbgServer'] = readAdapterServer(config['trapdbgServer']);
  if (config['remote'] !== undefined) {
    const remote = readRemote(config['remote']);
    result['remote'] = remote;
    if (config['coreFile'] !== undefined) throw new ConfigurationError('A core file is opened on this machine: remove "remote" (or "coreFile").');
    if (config.request === 'launch' && ((config['console'] ?? 'internalConsole') !== 'internalConsole' || (config['stdio'] ?? null) !== null))
      throw new ConfigurationError('A program launched through "remote" writes to the Debug Console: remove "console" and "stdio".');
  }
  return result;
}


/** Attributes that are not part of this debugger's configuration (likely typos), for a warning. */
export function unknownAttributes(config: DebugConfigurationLike): string[] {
  const known = config.request === 'attach' ? attachAttributes : launchAttributes;
  const common = new Set(['type', 'request', 'name', 'preLaunchTask', 'postDebugTask', 'internalConsoleOptions', 'debugServer', 'presentation', '__configurationTarget', '__sessionId', 'suppressMultipleSessionWarning']);
  return Object.keys(config).filter((k) => !known.has(k) && !common.has(k) && !k.startsWith('__'));
}
