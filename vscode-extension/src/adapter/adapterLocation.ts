// Finds the `trapdbg` executable: the trapdbg.adapterPath setting, else the binary bundled in the
// extension for this platform, else `trapdbg` on PATH.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Thrown when no adapter executable can be found; the message says how to provide one. */
export class AdapterNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdapterNotFoundError';
  }
}

/** Where the adapter executable came from. */
export type AdapterOrigin = 'setting' | 'bundled' | 'path';

/** The adapter executable to run. */
export interface AdapterLocation {
  path: string;
  origin: AdapterOrigin;
}

/** What locating the adapter depends on. */
export interface AdapterSearch {
  /** Value of trapdbg.adapterPath ('' when unset). */
  setting: string;
  extensionPath: string;
  platform: string;
  arch: string;
  /** Folder relative settings are taken from. */
  workspaceFolder?: string;
  /** The PATH environment variable. */
  searchPath?: string;
  isExecutableFile?: (file: string) => boolean;
}

function executableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The path of the binary bundled for a platform inside the extension. */
export function bundledAdapterPath(extensionPath: string, platform: string, arch: string): string {
  return path.join(extensionPath, 'bin', `${platform}-${arch}`, 'trapdbg');
}

/** Expands a leading "~" and resolves a relative path against the workspace folder. */
export function expandSettingPath(setting: string, workspaceFolder: string | undefined): string {
  let p = setting.trim();
  if (p === '~' || p.startsWith('~/')) p = path.join(os.homedir(), p.slice(1));
  p = p.replace(/\$\{workspaceFolder\}/g, workspaceFolder ?? '');
  if (!path.isAbsolute(p) && workspaceFolder) p = path.resolve(workspaceFolder, p);
  return p;
}

/** Finds the adapter executable or throws AdapterNotFoundError. */
export function locateAdapter(search: AdapterSearch): AdapterLocation {
  const isExecutable = search.isExecutableFile ?? executableFile;
  if (search.setting.trim() !== '') {
    const file = expandSettingPath(search.setting, search.workspaceFolder);
    if (!isExecutable(file)) throw new AdapterNotFoundError(`The setting trapdbg.adapterPath names "${file}", which is not an executable file.`);
    return { path: file, origin: 'setting' };
  }
  const bundled = bundledAdapterPath(search.extensionPath, search.platform, search.arch);
  if (isExecutable(bundled)) return { path: bundled, origin: 'bundled' };
  for (const dir of (search.searchPath ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, 'trapdbg');
    if (isExecutable(candidate)) return { path: candidate, origin: 'path' };
  }
  throw new AdapterNotFoundError(
    `No trapdbg executable was found: this extension bundles none for ${search.platform}-${search.arch} and there is none on PATH; set trapdbg.adapterPath to the trapdbg binary.`,
  );
}

/** Restores the execute bit of the bundled binary, which some archive tools drop when unpacking. */
export function repairBundledPermissions(extensionPath: string, platform: string, arch: string): void {
  const bundled = bundledAdapterPath(extensionPath, platform, arch);
  try {
    const stat = fs.statSync(bundled);
    if (stat.isFile() && (stat.mode & 0o111) === 0) fs.chmodSync(bundled, stat.mode | 0o755);
  } catch {
    // No bundled binary for this platform: locateAdapter explains what to do.
  }
}
