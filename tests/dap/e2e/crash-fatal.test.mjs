// With filters: [] (every optional stop off) each fatal-signal fixture still stops, diagnosed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { buildFixture, fixtureDir, lineOf } from './fixtures.mjs';
import { startSession, firstSourceFrame, endSession } from './session.mjs';
import { fatal, launchWithFilters } from './crash-support.mjs';



for (const crash of fatal.slice(0, 4)) {
  test(`with filters: [] a crash still stops: ${crash.name}`, async () => {
    const program = crash.program();
    const dc = await startSession();
    try {
      const end = await launchWithFilters(dc, { program, args: crash.args }, []);
      assert.ok(end.stopped, `the program ended without a stop: ${JSON.stringify(end.exited?.body)}`);
      assert.equal(end.stopped.body.reason, 'exception');
      const info = await dc.send('exceptionInfo', { threadId: end.stopped.body.threadId });
      assert.equal(info.body.exceptionId, crash.kind);
    } finally {
      await endSession(dc);
    }
  });
}
