// `trapdbg dap --port`: loopback only, and an auth token in the first request.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { trapdbgPath } from './adapter.mjs';

const token = 'node-test-token-0123456789';
let trapdbg;
before(() => { trapdbg = trapdbgPath(); });

/** Starts a listening adapter on a free loopback port and resolves with the process and port. */
function listen() {
  return new Promise((resolve, reject) => {
    const server = spawn(trapdbg, ['dap', '--port', '0', '--auth-token', token]);
    let stderr = '';
    const timer = setTimeout(() => { server.kill(); reject(new Error(`no listening line on stderr: ${stderr}`)); }, 20000);
    server.stderr.on('data', chunk => {
      stderr += chunk;
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(stderr);
      if (match) { clearTimeout(timer); resolve({ server, port: Number(match[1]) }); }
    });
    server.on('error', reject);
  });
}

test('the right token opens a session over TCP', async () => {
  const { server, port } = await listen();
  try {
    const dc = new DebugClient('unused', 'unused', 'trapdbg');
    await dc.start(port);
    const response = await dc.initializeRequest({ adapterID: 'trapdbg', trapdbgAuthToken: token });
    assert.equal(response.success, true);
    assert.equal(response.body.supportsCancelRequest, true);
    await dc.disconnectRequest({});
    dc.stopAdapter();
  } finally {
    server.kill();
  }
});

test('a wrong token gets one error response and the connection is closed', async () => {
  const { server, port } = await listen();
  try {
    const dc = new DebugClient('unused', 'unused', 'trapdbg');
    await dc.start(port);
    const closed = new Promise(resolve => dc._socket.on('close', resolve));
    await assert.rejects(dc.initializeRequest({ adapterID: 'trapdbg', trapdbgAuthToken: 'wrong' }),
      { message: "Authentication failed: the first request must be 'initialize' with the correct 'trapdbgAuthToken'." });
    await closed;
  } finally {
    server.kill();
  }
});
