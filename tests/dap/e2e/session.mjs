// A DAP client session against `trapdbg dap` with the helpers the end-to-end tests share.
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { trapdbgPath } from '../test/adapter.mjs';

/** Starts `trapdbg dap`, initializes, and returns the client; the caller stops it. */
export async function startSession() {
  const dc = new DebugClient(trapdbgPath(), 'dap', 'trapdbg');
  dc.defaultTimeout = 30000;
  await dc.start();
  const initialized = dc.waitForEvent('initialized');
  const init = await dc.initializeRequest({ adapterID: 'trapdbg', clientID: 'e2e', linesStartAt1: true, columnsStartAt1: true,
    supportsVariablePaging: true, supportsMemoryReferences: true, supportsInvalidatedEvent: true });
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
