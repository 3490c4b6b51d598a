import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { DapFramingError, DapMessageReader, encodeDapMessage, maxBodyBytes, withAuthToken } from '../src/adapter/dapFraming';

const initialize = { seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'trapdbg', clientID: 'vscode' } };
const output = { seq: 2, type: 'event', event: 'output', body: { output: 'größe ✓ \r\n\r\n Content-Length: 3' } };

test('a framed message carries its UTF-8 byte length', () => {
  const framed = encodeDapMessage(output).toString('utf8');
  const body = JSON.stringify(output);
  assert.equal(framed, `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  assert.notEqual(Buffer.byteLength(body), body.length, 'the sample has multi-byte characters');
});

test('the reader returns messages however the stream is split, byte by byte included', () => {
  const stream = Buffer.concat([encodeDapMessage(initialize), encodeDapMessage(output), encodeDapMessage({ seq: 3 })]);
  for (const chunkSize of [1, 2, 7, 64, stream.length]) {
    const reader = new DapMessageReader();
    const messages: unknown[] = [];
    for (let i = 0; i < stream.length; i += chunkSize) messages.push(...reader.push(stream.subarray(i, i + chunkSize)));
    assert.deepEqual(messages, [initialize, output, { seq: 3 }], `chunks of ${chunkSize}`);
  }
});

test('the reader accepts other headers and any case of Content-Length', () => {
  const body = '{"seq":5}';
  const reader = new DapMessageReader();
  assert.deepEqual(reader.push(Buffer.from(`Content-Type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`)), [{ seq: 5 }]);
});

test('broken framing is a DapFramingError, never an unbounded wait or allocation', () => {
  assert.throws(() => new DapMessageReader().push(Buffer.from('X-Header: 1\r\n\r\n{}')), (e: unknown) => e instanceof DapFramingError && /without Content-Length/.test(e.message));
  assert.throws(() => new DapMessageReader().push(Buffer.from('Content-Length: 2\r\n\r\n{x')), /not JSON/);
  assert.throws(() => new DapMessageReader().push(Buffer.from(`Content-Length: ${maxBodyBytes + 1}\r\n\r\n`)), /more than the/);
  assert.throws(() => new DapMessageReader().push(Buffer.alloc(9000, 0x41)), /without a header separator/);
});

test('the auth token is added to initialize only', () => {
  assert.deepEqual(withAuthToken(initialize, 'secret'), { ...initialize, arguments: { ...initialize.arguments, trapdbgAuthToken: 'secret' } });
  assert.equal(initialize.arguments.adapterID, 'trapdbg');
  assert.equal('trapdbgAuthToken' in initialize.arguments, false, 'the original message is not modified');
  assert.equal(withAuthToken(output, 'secret'), output);
  assert.equal(withAuthToken(initialize, undefined), initialize);
  assert.deepEqual(withAuthToken({ seq: 1, type: 'request', command: 'initialize' }, 't'), { seq: 1, type: 'request', command: 'initialize', arguments: { trapdbgAuthToken: 't' } });
});
