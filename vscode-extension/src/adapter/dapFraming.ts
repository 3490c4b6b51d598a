// Debug Adapter Protocol framing ("Content-Length: N\r\n\r\n" + N bytes of JSON) for talking to
// `trapdbg dap --port` over TCP ourselves, which lets the extension add the auth token to `initialize`.

/** Thrown when the byte stream is not DAP framing; the connection cannot continue after it. */
export class DapFramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DapFramingError';
  }
}

const headerSeparator = Buffer.from('\r\n\r\n', 'ascii');
/** Longest header block accepted before its separator. */
const maxHeaderBytes = 8 * 1024;
/** Largest message body accepted (the adapter's own answers stay far below this). */
export const maxBodyBytes = 64 * 1024 * 1024;

/** Frames one message. */
export function encodeDapMessage(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

/** Splits a byte stream into DAP messages, however the stream is chunked. */
export class DapMessageReader {
  private buffered: Buffer = Buffer.alloc(0);

  /** Adds received bytes and returns every message they complete. */
  push(chunk: Buffer): unknown[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const messages: unknown[] = [];
    for (;;) {
      const end = this.buffered.indexOf(headerSeparator);
      if (end < 0) {
        if (this.buffered.length > maxHeaderBytes) throw new DapFramingError(`The adapter sent more than ${maxHeaderBytes} bytes without a header separator.`);
        return messages;
      }
      const length = contentLength(this.buffered.subarray(0, end).toString('ascii'));
      const start = end + headerSeparator.length;
      if (this.buffered.length < start + length) return messages;
      const body = this.buffered.subarray(start, start + length).toString('utf8');
      this.buffered = this.buffered.subarray(start + length);
      try {
        messages.push(JSON.parse(body));
      } catch {
        throw new DapFramingError(`The adapter sent a message that is not JSON: ${body.slice(0, 100)}`);
      }
    }
  }
}

function contentLength(header: string): number {
  for (const line of header.split('\r\n')) {
    const match = /^Content-Length:\s*(\d+)\s*$/i.exec(line);
    if (!match) continue;
    const length = Number.parseInt(match[1] ?? '', 10);
    if (length > maxBodyBytes) throw new DapFramingError(`The adapter announced a ${length}-byte message, more than the ${maxBodyBytes} accepted.`);
    return length;
  }
  throw new DapFramingError(`The adapter sent a header without Content-Length: ${JSON.stringify(header.slice(0, 100))}`);
}

/** Where a `trapdbg dap --port` server listens, from the `trapdbgServer` launch.json attribute. */
export interface AdapterServer {
  host: string;
  port: number;
  authToken?: string;
}

/** Adds the server's auth token to an `initialize` request; other messages pass unchanged. */
export function withAuthToken(message: unknown, authToken: string | undefined): unknown {
  const m = message as { type?: unknown; command?: unknown; arguments?: Record<string, unknown> } | null;
  if (!authToken || typeof m !== 'object' || m === null || m.type !== 'request' || m.command !== 'initialize') return message;
  return { ...m, arguments: { ...(m.arguments ?? {}), trapdbgAuthToken: authToken } };
}
