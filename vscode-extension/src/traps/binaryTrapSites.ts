// Runs `trapdbg traps BINARY --json` to list a binary's trap sites without a debug session.
import { execFile } from 'node:child_process';
import { readTrapSitesBody, type TrapSiteInfo } from '../protocol/trapRequests';

/** Thrown when `trapdbg traps` fails or prints something other than the documented JSON. */
export class BinaryTrapSitesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BinaryTrapSitesError';
  }
}

/** Output larger than this is refused rather than buffered without bound. */
const maxOutputBytes = 256 * 1024 * 1024;

/** Parses the standard output of `trapdbg traps --json`. */
export function parseTrapsOutput(stdout: string, binary: string): TrapSiteInfo[] {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new BinaryTrapSitesError(`trapdbg traps printed no JSON for ${binary}: ${stdout.trim().slice(0, 200) || '(empty output)'}`);
  }
  try {
    return readTrapSitesBody(json);
  } catch (e) {
    throw new BinaryTrapSitesError(`trapdbg traps printed unexpected JSON for ${binary}: ${(e as Error).message}`);
  }
}

/** Runs the adapter executable's `traps` command on a binary and returns its sites. */
export function listBinaryTrapSites(adapterPath: string, binary: string, timeoutMs = 120_000): Promise<TrapSiteInfo[]> {
  return new Promise((resolve, reject) => {
    execFile(adapterPath, ['traps', binary, '--json'], { maxBuffer: maxOutputBytes, timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        const detail = stderr.trim().split('\n').slice(-3).join(' ') || error.message;
        reject(new BinaryTrapSitesError(`trapdbg traps failed for ${binary}: ${detail}`));
        return;
      }
      try {
        resolve(parseTrapsOutput(stdout, binary));
      } catch (e) {
        reject(e);
      }
    });
  });
}
