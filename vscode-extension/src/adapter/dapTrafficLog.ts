// Appends Debug Adapter Protocol messages to a file, one JSON object per line, so a session can be
// replayed or diffed later: {"time": ISO-8601, "direction": "toAdapter"|"fromAdapter", "session": id, "message": {...}}.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Which way a message travelled. */
export type DapDirection = 'toAdapter' | 'fromAdapter';

/** An open log file of one debug session's DAP traffic. */
export class DapTrafficLog {
  private fd: number | undefined;

  /** Opens (creating directories as needed) the file for appending. */
  constructor(
    readonly filePath: string,
    private readonly sessionId: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    fs.mkdirSync(path.dirname(filePath), { recursive: true });
    this.fd = fs.openSync(filePath, 'a');
  }

  /** Writes one message as one line. */
  record(direction: DapDirection, message: unknown): void {
    if (this.fd === undefined) return;
    const line = JSON.stringify({ time: this.now().toISOString(), direction, session: this.sessionId, message });
    fs.writeSync(this.fd, `${line}\n`);
  }

  /** Closes the file; later records are ignored. */
  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
