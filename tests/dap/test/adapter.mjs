// Builds (if needed) and locates the trapdbg binary the DAP tests drive.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function candidates() {
  const artifacts = process.env.TRAPDBG_ARTIFACTS || path.join(repo, 'artifacts');
  return [
    path.join(artifacts, 'bin/TrapDebugger.Cli/debug/trapdbg'),
    path.join(artifacts, 'publish/TrapDebugger.Cli/release_linux-x64/trapdbg'),
  ];
}

/** Path of the trapdbg executable: $TRAPDBG, else the build output, built now when missing. */
export function trapdbgPath() {
  if (process.env.TRAPDBG) {
    if (!existsSync(process.env.TRAPDBG)) throw new Error(`TRAPDBG=${process.env.TRAPDBG} does not exist.`);
    return process.env.TRAPDBG;
  }
  let found = candidates().find(existsSync);
  if (!found) {
    execFileSync('dotnet', ['build', path.join(repo, 'src/TrapDebugger.Cli'), '-v', 'quiet'], { stdio: 'inherit' });
    found = candidates().find(existsSync);
  }
  if (!found) throw new Error(`trapdbg not found after building; looked in ${candidates().join(', ')}.`);
  return found;
}
