// Uncaught C++ exceptions with libstdc++ name the type and what() and land on the throw; the on-throw filter stops at
// the throw; a call through a weak undefined function names the symbol.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { buildFixture, fixtureDir, lineOf } from './fixtures.mjs';
import { startSession, firstSourceFrame, endSession } from './session.mjs';
import { cxxExceptionTests, launchWithFilters } from './crash-support.mjs';

cxxExceptionTests('libstdc++, g++ -O2', 'g++', ['-g', '-O2']);

test('a call through a weak undefined function names the symbol and lands on the call', async () => {
  const program = buildFixture('null_call', '-O0');
  const source = path.join(fixtureDir, 'null_call.c');
  const dc = await startSession();
  try {
    const end = await launchWithFilters(dc, { program, args: ['hook'] }, []);
    assert.ok(end.stopped);
    assert.match(end.stopped.body.description, /weak symbol `hook` is not defined in any loaded module/);
    const { frame } = await firstSourceFrame(dc, end.stopped.body.threadId);
    assert.equal(frame.line, lineOf(source, 'int r = hook(level);'));
  } finally {
    await endSession(dc);
  }
});
