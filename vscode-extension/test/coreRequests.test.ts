import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { describeSavedCore, readSaveCoreBody, SaveCoreReplyError, suggestedCoreName } from '../src/protocol/coreRequests';

const body = { path: '/tmp/core.prog.12', threads: 33, includedBytes: 3 * 1024 * 1024, omittedBytes: 512 * 1024 };

test('a saveCore reply is read and described in one sentence', () => {
  const saved = readSaveCoreBody(body);
  assert.deepEqual(saved, body);
  assert.equal(describeSavedCore(saved), 'Saved the core /tmp/core.prog.12 (33 threads, 3.0 MiB of memory; 0.5 MiB of unchanged file pages are read from the program\'s files).');
  assert.match(describeSavedCore({ ...saved, threads: 1 }), /\(1 thread,/);
});

const bad: [string, unknown, RegExp][] = [
  ['not an object', 'x', /the body must be an object/],
  ['no path', { ...body, path: undefined }, /"path" must be a string/],
  ['threads as a string', { ...body, threads: '33' }, /"threads" must be a count/],
  ['negative bytes', { ...body, includedBytes: -1 }, /"includedBytes" must be a count/],
];
for (const [name, reply, pattern] of bad) {
  test(`saveCore reply: ${name} is a SaveCoreReplyError`, () => {
    assert.throws(() => readSaveCoreBody(reply), (e: unknown) => e instanceof SaveCoreReplyError && pattern.test(e.message));
  });
}

test('the suggested name follows trapdbg run --core-dir', () => {
  assert.equal(suggestedCoreName('/work/bin/server', 4242), 'core.server.4242');
  assert.equal(suggestedCoreName(undefined, undefined), 'core.process');
});
