// Reads the running processes from /proc for the attach picker. The parsers take file contents
// so they can be tested without a live /proc; readProcesses takes the /proc root for the same reason.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The fields of /proc/PID/stat the picker uses. */
export interface ProcessStat {
  pid: number;
  /** The kernel's 15-character command name (the text between the parentheses). */
  comm: string;
  state: string;
  ppid: number;
  /** Start time in clock ticks after boot (field 22), for newest-first ordering. */
  startTime: number;
}

/** One process as the picker shows it. */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  name: string;
  commandLine: string;
  user: string;
  startTime: number;
}

/** Parses /proc/PID/stat; undefined when the text is not a stat line. */
export function parseStat(text: string): ProcessStat | undefined {
  // comm may contain spaces and parentheses, so it ends at the last ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number.parseInt(text.slice(0, open).trim(), 10);
  const rest = text.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const state = rest[0];
  const ppid = Number.parseInt(rest[1] ?? '', 10);
  const startTime = Number.parseInt(rest[22 - 3] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || state === undefined || !Number.isInteger(ppid)) return undefined;
  return { pid, comm: text.slice(open + 1, close), state, ppid, startTime: Number.isFinite(startTime) ? startTime : 0 };
}

/** Splits /proc/PID/cmdline (NUL-separated, usually NUL-terminated) into arguments. */
export function parseCmdline(data: Buffer | string): string[] {
  const text = typeof data === 'string' ? data : data.toString('utf8');
  if (text === '') return [];
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** The real uid from the "Uid:" line of /proc/PID/status. */
export function parseStatusUid(text: string): number | undefined {
  const match = /^Uid:\s+(\d+)/m.exec(text);
  return match ? Number.parseInt(match[1] ?? '', 10) : undefined;
}

/** Maps uids to user names from /etc/passwd text. */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const fields = line.split(':');
    if (fields.length < 3) continue;
    const uid = Number.parseInt(fields[2] ?? '', 10);
    if (fields[0] && Number.isInteger(uid) && !users.has(uid)) users.set(uid, fields[0]);
  }
  return users;
}

/** Quotes an argument for display only when it needs it. */
function displayArgument(arg: string): string {
  return arg === '' || /[\s"'\\]/.test(arg) ? JSON.stringify(arg) : arg;
}

/** Builds the picker's entry from the three /proc files; undefined for kernel threads and zombies, which cannot be debugged. */
export function describeProcess(statText: string, cmdline: Buffer | string, statusText: string, users: ReadonlyMap<number, string>): ProcessEntry | undefined {
  const stat = parseStat(statText);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return undefined;
  const argv = parseCmdline(cmdline);
  if (argv.length === 0) return undefined;
  const uid = parseStatusUid(statusText);
  const exe = argv[0] ?? '';
  return {
    pid: stat.pid,
    ppid: stat.ppid,
    // argv[0] may be rewritten by the program (e.g. "sshd: user"); the comm is the kernel's name.
    name: exe.includes(' ') || exe === '' ? stat.comm : path.posix.basename(exe),
    commandLine: argv.map(displayArgument).join(' '),
    user: uid === undefined ? '?' : users.get(uid) ?? String(uid),
    startTime: stat.startTime,
  };
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Lists the debuggable processes under a /proc root, newest first. Processes that exit while being read are skipped. */
export function readProcesses(procRoot = '/proc', passwdFile = '/etc/passwd'): ProcessEntry[] {
  const users = parsePasswd(readText(passwdFile) ?? '');
  const entries: ProcessEntry[] = [];
  for (const name of fs.readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    const dir = path.join(procRoot, name);
    const stat = readText(path.join(dir, 'stat'));
    const status = readText(path.join(dir, 'status'));
    let cmdline: Buffer;
    try {
      cmdline = fs.readFileSync(path.join(dir, 'cmdline'));
    } catch {
      continue;
    }
    if (stat === undefined || status === undefined) continue;
    const entry = describeProcess(stat, cmdline, status, users);
    if (entry) entries.push(entry);
  }
  return entries.sort((a, b) => b.startTime - a.startTime || b.pid - a.pid);
}

/** One row of the attach QuickPick. */
export interface ProcessPickRow {
  label: string;
  description: string;
  detail: string;
  pid: string;
}

/** Formats processes as QuickPick rows: name, then pid and user, then the full command line. */
export function processPickRows(processes: readonly ProcessEntry[], ownPid?: number): ProcessPickRow[] {
  return processes
    .filter((p) => p.pid !== ownPid)
    .map((p) => ({ label: p.name, description: `pid ${p.pid} · ${p.user}`, detail: p.commandLine, pid: String(p.pid) }));
}
