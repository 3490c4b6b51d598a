// Rust panics stop with the runtime's own message, read from the process, on the user's line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { buildFixture, fixtureDir, lineOf } from './fixtures.mjs';
import { startSession, firstSourceFrame, endSession } from './session.mjs';
import { buildWith, launchWithFilters } from './crash-support.mjs';

const rustSource = path.join(fixtureDir, 'rust_abort.rs');

for (const [label, flags] of [['debug, unwind', ['-g']], ['release, panic=abort, v0', ['-g', '-C', 'opt-level=2', '-C', 'panic=abort', '-C', 'symbol-mangling-version=v0']]]) {
  test(`Rust panic (${label}) stops with the runtime's message on the user's line`, async () => {
    const program = buildWith('rust_abort', 'rust_abort.rs', 'rustc', flags);
    const dc = await startSession();
    try {
      const end = await launchWithFilters(dc, { program, args: ['index', '9'] }, ['rustPanic']);
      assert.ok(end.stopped, 'a panic is a stop');
      assert.equal(end.stopped.body.description, 'Rust panic: index out of bounds: the len is 4 but the index is 9');
      const info = await dc.send('exceptionInfo', { threadId: end.stopped.body.threadId });
      assert.equal(info.body.exceptionId, 'rust-panic');
      const { frame } = await firstSourceFrame(dc, end.stopped.body.threadId);
      assert.equal(frame.source.path, rustSource);
      assert.equal(frame.line, lineOf(rustSource, '&jobs[index]'));
    } finally {
      await endSession(dc);
    }
  });
}
