// Lists the processes of the host a remote agent runs on, for the attach picker, through the adapter executable's
// `trapdbg ps --json` (which reaches the agent as a debug session would).
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import type { RemoteAgent } from '../config/debugConfiguration';
import type { ProcessPickRow } from './procfs';

/** Thrown when the remote processes cannot be listed; the message says why. */
export class RemoteProcessesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteProcessesError';
  }
}

/** Quotes a word for `--remote`, which splits its command line as a POSIX shell does (no expansion). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The arguments of `trapdbg ps` that list the processes where <remote> points. */
export function remotePsArguments(remote: RemoteAgent): string[] {
  if ('pipe' in remote) return ['ps', '--json', '--remote', remote.pipe.map(shellQuote).join(' ')];
  return ['ps', '--json', '--remote-address', remote.address, '--token-file', remote.tokenFile];
}

/** Turns the JSON of `trapdbg ps --json` into picker rows, newest (highest pid) first; a process inside a container
 *  shows its own pid beside the host pid it is attached by. */
export function remotePickRows(stdout: string, where: string): ProcessPickRow[] {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new RemoteProcessesError(`trapdbg ps printed no process list for ${where}: ${stdout.trim().slice(0, 200) || '(empty output)'}`);
  }
  if (!Array.isArray(json)) throw new RemoteProcessesError(`trapdbg ps printed unexpected JSON for ${where}.`);
  const rows: { pid: number; row: ProcessPickRow }[] = [];
  for (const item of json) {
    if (typeof item !== 'object' || item === null) continue;
    const { pid, namespacePid, program, commandLine } = item as Record<string, unknown>;
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) continue;
    const line = typeof commandLine === 'string' ? commandLine : '';
    // Kernel threads have neither a program nor a command line, and cannot be debugged.
    if (line === '' && typeof program !== 'string') continue;
    const name = typeof program === 'string' ? path.posix.basename(program) : line.split(' ')[0] ?? String(pid);
    const inside = typeof namespacePid === 'number' ? ` · pid ${namespacePid} in its container` : '';
    rows.push({ pid, row: { label: name, description: `pid ${pid}${inside} · ${where}`, detail: line || String(program), pid: String(pid) } });
  }
  return rows.sort((a, b) => b.pid - a.pid).map((r) => r.row);
}

/** Where <remote> points, for messages: the command line or the address. */
export function describeRemote(remote: RemoteAgent): string {
  return 'pipe' in remote ? remote.pipe.join(' ') : remote.address;
}

/** Runs `trapdbg ps` through the agent and returns picker rows. */
export function listRemoteProcesses(adapterPath: string, remote: RemoteAgent, timeoutMs = 60_000): Promise<ProcessPickRow[]> {
  const where = describeRemote(remote);
  return new Promise((resolve, reject) => {
    execFile(adapterPath, remotePsArguments(remote), { maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        const detail = stderr.trim().split('\n').slice(-2).join(' ') || error.message;
        reject(new RemoteProcessesError(`cannot list the processes of ${where}: ${detail}`));
        return;
      }
      try {
        resolve(remotePickRows(stdout, where));
      } catch (e) {
        reject(e);
      }
    });
  });
}
