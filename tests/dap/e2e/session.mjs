// A DAP client session against `trapdbg dap` with the helpers the end-to-end tests share.
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { trapdbgPath } from '../test/adapter.mjs';

/** Starts `trapdbg dap`, initializes, and returns the client; the caller stops it. `reverseRequests` maps the
 *  adapter's requests the client answers (e.g. `runInTerminal`) to async handlers returning the response body. */
export async function startSession({ reverseRequests } = {}) {
  const dc = new DebugClient(trapdbgPath(), 'dap', 'trapdbg');
  dc.defaultTimeout = 30000;
  await dc.start();
  if (reverseRequests) answerReverseRequests(dc, reverseRequests);
  const initialized = dc.waitForEvent('initialized');
  const init = await dc.initializeRequest({ adapterID: 'trapdbg', clientID: 'e2e', linesStartAt1: true, columnsStartAt1: true,
    supportsVariablePaging: true, supportsMemoryReferences: true, supportsInvalidatedEvent: true,
    supportsRunInTerminalRequest: reverseRequests?.runInTerminal !== undefined });
  await initialized;
  dc.capabilities = init.body;
  // Collect every output event so tests can look at the program's stdout.
  dc.outputText = '';
  dc.on('output', e => { dc.outputText += e.body.output; });
  return dc;
}

/** Launches <program> and runs to the first stop; returns the stopped event. */
export async function launchToStop(dc, args, { breakpoints = [], functionBreakpoints } = {}) {
  const stopped = dc.waitForEvent('stopped');
  await dc.launchRequest(args);
  for (const { path, lines } of breakpoints)
    await dc.setBreakpointsRequest({ source: { path }, breakpoints: lines.map(line => ({ line })) });
  if (functionBreakpoints)
    await dc.send('setFunctionBreakpoints', { breakpoints: functionBreakpoints.map(name => ({ name })) });
  await dc.configurationDoneRequest();
  return stopped;
}

/** The first frame of <threadId> that has a source. */
export async function firstSourceFrame(dc, threadId) {
  const trace = await dc.stackTraceRequest({ threadId, startFrame: 0, levels: 20 });
  return { frame: trace.body.stackFrames.find(f => f.source?.path), trace };
}

/** Ends the session (terminating a launched program) and stops the adapter. */
export async function endSession(dc, disconnectArgs = {}) {
  // The adapter closes the connection after answering disconnect, so the client's own stop() (which sends a second
  // disconnect) is not used.
  await Promise.race([dc.disconnectRequest(disconnectArgs).catch(() => {}), new Promise(r => setTimeout(r, 10000))]);
  dc.stopAdapter();
}

/** Answers requests the adapter sends to the client (the test client of @vscode/debugadapter-testsupport ignores them). */
function answerReverseRequests(dc, handlers) {
  const dispatch = dc.dispatch.bind(dc);
  dc.dispatch = (body) => {
    const message = JSON.parse(body);
    if (message.type !== 'request') return dispatch(body);
    const handler = handlers[message.command];
    Promise.resolve(handler ? handler(message.arguments) : Promise.reject(new Error(`no handler for ${message.command}`))).then(
      (result) => respond(message, true, result),
      (error) => respond(message, false, undefined, error.message));
  };
  function respond(request, success, body, errorMessage) {
    const json = JSON.stringify({ seq: dc.sequence++, type: 'response', request_seq: request.seq, command: request.command, success, body, message: errorMessage });
    dc.outputStream.write(`Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`, 'utf8');
  }
}

/** Sends a request and returns the raw response, failed or not (the client's `send` keeps only the message of a failure). */
export function rawRequest(dc, command, args) {
  return new Promise((resolve) => dc.doSend(command, args, resolve));
}

/** Runs a console line in the Debug Console (`evaluate` with context repl) and returns the raw response. */
export function consoleLine(dc, expression, frameId) {
  return rawRequest(dc, 'evaluate', { expression, context: 'repl', ...(frameId === undefined ? {} : { frameId }) });
}
