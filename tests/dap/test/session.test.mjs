// Drives `trapdbg dap` over stdio with the DAP client VS Code's own adapters are tested with.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { trapdbgPath } from './adapter.mjs';

let trapdbg;
before(() => { trapdbg = trapdbgPath(); });

async function startClient() {
  // DebugClient spawns `runtime executable`: the binary and its subcommand.
  const dc = new DebugClient(trapdbg, 'dap', 'trapdbg');
  dc.defaultTimeout = 20000;
  await dc.start();
  return dc;
}

function frame(text) {
  return `Content-Length: ${Buffer.byteLength(text, 'utf8')}\r\n\r\n${text}`;
}

test('initialize advertises exactly what works, then initialized follows', async () => {
  const dc = await startClient();
  try {
    const initialized = dc.waitForEvent('initialized');
    const response = await dc.initializeRequest({ adapterID: 'trapdbg', clientID: 'node-test', linesStartAt1: true, columnsStartAt1: true });
    assert.equal(response.success, true);
    assert.equal(response.body.supportsCancelRequest, true);
    assert.equal(response.body.supportsTerminateRequest, true);
    assert.equal(response.body.supportTerminateDebuggee, true);
    await initialized;
  } finally {
    await dc.stop();
  }
});

test('requests without a handler fail with one sentence and the session goes on', async () => {
  const dc = await startClient();
  try {
    await dc.initializeRequest();
    await assert.rejects(dc.send('frobnicate', {}), { message: "Unknown request 'frobnicate'." });
    await assert.rejects(dc.send('disconnect', { terminateDebuggee: 'yes' }),
      { message: "disconnect: argument 'terminateDebuggee' must be true or false." });
    const unsupported = await dc.send('restartFrame', { frameId: 1 }).then(() => 'ok', e => e.message);
    assert.match(unsupported, /^The 'restartFrame' request is not supported yet\.$/);
  } finally {
    await dc.stop();
  }
});

test('malformed input is reported as an important output event and the session survives', async () => {
  const dc = await startClient();
  try {
    await dc.initializeRequest();
    const faults = [
      ['Content-Length: 5\r\n\r\n{bad}', /not valid JSON/],
      ['Content-Length: 2\r\nOrigin: http://evil.example\r\n\r\n{}', /Origin header/],
      ['\u0001\u0002garbage\r\n\r\n', /no Content-Length header/],
      [frame('{"type":"request","command":"threads"}'), /no integer 'seq'/],
    ];
    for (const [bytes, expected] of faults) {
      const output = dc.waitForEvent('output');
      dc.outputStream.write(bytes, 'utf8');
      const event = await output;
      assert.equal(event.body.category, 'important');
      assert.match(event.body.output, expected);
    }
    await assert.rejects(dc.send('frobnicate', {}), { message: "Unknown request 'frobnicate'." });
  } finally {
    await dc.stop();
  }
});

test('disconnect ends the adapter process', async () => {
  const dc = await startClient();
  const exited = new Promise(resolve => dc._adapterProcess.on('exit', code => resolve(code)));
  await dc.initializeRequest();
  const response = await dc.disconnectRequest({});
  assert.equal(response.success, true);
  assert.equal(await exited, 0);
  dc.stopAdapter();
});
