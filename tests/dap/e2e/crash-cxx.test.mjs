// Uncaught C++ exceptions with libstdc++ name the type and what() and land on the throw; the on-throw filter stops at
// the throw; a call through a weak undefined function names the symbol.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { buildFixture, fixtureDir, lineOf } from './fixtures.mjs';
import { startSession, firstSourceFrame, endSession } from './session.mjs';
import { buildWith, launchWithFilters } from './crash-support.mjs';

const cxxSource = path.join(fixtureDir, 'cxx_uncaught.cpp');

for (const [label, driver, flags] of [
  ['libstdc++, g++ -O2', 'g++', ['-g', '-O2']],
]) {
  test(`uncaught C++ exception (${label}) names the type and what() and lands on the throw`, async () => {
    const program = buildWith('cxx_uncaught', 'cxx_uncaught.cpp', driver, flags);
    const dc = await startSession();
    try {
      const end = await launchWithFilters(dc, { program, args: ['custom'] }, []);
      assert.ok(end.stopped);
      assert.equal(end.stopped.body.description, 'Uncaught C++ exception book_error: order 17 has quantity -3');
      const { frame } = await firstSourceFrame(dc, end.stopped.body.threadId);
      assert.equal(frame.line, lineOf(cxxSource, 'throw book_error('));
    } finally {
      await endSession(dc);
    }
  });

  test(`the C++ on-throw filter (${label}) stops at the throw with the same information`, async () => {
    const program = buildWith('cxx_uncaught', 'cxx_uncaught.cpp', driver, flags);
    const dc = await startSession();
    try {
      const end = await launchWithFilters(dc, { program, args: ['runtime'] }, ['cppThrow']);
      assert.ok(end.stopped);
      assert.equal(end.stopped.body.description, 'C++ exception thrown std::runtime_error: order book is empty');
      const { frame } = await firstSourceFrame(dc, end.stopped.body.threadId);
      assert.equal(frame.line, lineOf(cxxSource, 'throw std::runtime_error("order book is empty");'));
    } finally {
      await endSession(dc);
    }
  });
}

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
