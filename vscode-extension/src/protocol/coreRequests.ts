// Shape of the adapter's `saveCore` custom request: the reply is checked before it is shown, so a malformed one is one
// clear error. Free of the VS Code API so that it can be tested on its own.

/** Arguments of the `saveCore` request. */
export interface SaveCoreArguments {
  path: string;
}

/** Body of the `saveCore` response: what the written core holds. */
export interface SaveCoreBody {
  path: string;
  threads: number;
  includedBytes: number;
  omittedBytes: number;
}

/** Thrown when a `saveCore` reply does not have the documented shape. */
export class SaveCoreReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SaveCoreReplyError';
  }
}

/** Reads the body of a `saveCore` response. */
export function readSaveCoreBody(body: unknown): SaveCoreBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SaveCoreReplyError('saveCore reply: the body must be an object.');
  const o = body as Record<string, unknown>;
  const path = o['path'];
  if (typeof path !== 'string' || path === '') throw new SaveCoreReplyError('saveCore reply: "path" must be a string.');
  const count = (key: string): number => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new SaveCoreReplyError(`saveCore reply: "${key}" must be a count.`);
    return v;
  };
  return { path, threads: count('threads'), includedBytes: count('includedBytes'), omittedBytes: count('omittedBytes') };
}

function mebibytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** One sentence saying what was written, for a notification. */
export function describeSavedCore(saved: SaveCoreBody): string {
  const threads = saved.threads === 1 ? '1 thread' : `${saved.threads} threads`;
  return `Saved the core ${saved.path} (${threads}, ${mebibytes(saved.includedBytes)} of memory; ${mebibytes(saved.omittedBytes)} of unchanged file pages are read from the program's files).`;
}

/** The file name offered for a core of <program> (a path or name) in process <pid>, as `trapdbg run --core-dir` names it. */
export function suggestedCoreName(program: string | undefined, pid: number | undefined): string {
  const name = program ? program.split('/').filter((p) => p !== '').pop() ?? 'process' : 'process';
  return pid ? `core.${name}.${pid}` : `core.${name}`;
}
