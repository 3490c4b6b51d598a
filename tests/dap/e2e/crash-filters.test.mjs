// A crash always stops, whatever the exception filters say; the filters govern only the optional stops (signals the
// program handles, signals sent by others, Rust panics, C++ throws). This file: the filter list, and a handled SIGSEGV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { buildFixture, fixtureDir, lineOf } from './fixtures.mjs';
import { startSession, firstSourceFrame, endSession } from './session.mjs';
import { buildWith, launchWithFilters } from './crash-support.mjs';

test('the filter list is short, each filter says what it does, and only panics and sent signals are on by default', async () => {
  const dc = await startSession();
  try {
    const filters = dc.capabilities.exceptionBreakpointFilters;
    assert.ok(filters.length <= 5, JSON.stringify(filters));
    assert.ok(filters.every(f => f.description && f.description.length > 20), JSON.stringify(filters));
    assert.deepEqual(filters.filter(f => f.default).map(f => f.filter).sort(), ['rustPanic', 'sentSignals']);
  } finally {
    await endSession(dc);
  }
});

test('a SIGSEGV the program handles is passed to it unless its filter is on', async () => {
  const program = buildFixture('handled_segv', '-O0');
  let dc = await startSession();
  try {
    const end = await launchWithFilters(dc, { program, args: ['probe'] }, []);
    assert.ok(end.exited, 'no stop for a handled fault');
    assert.equal(end.exited.body.exitCode, 0);
    await new Promise(r => setTimeout(r, 200));
    assert.match(dc.outputText, /recovered/);
  } finally {
    await endSession(dc);
  }
  dc = await startSession();
  try {
    const end = await launchWithFilters(dc, { program, args: ['probe'] }, ['handledSignals']);
    assert.ok(end.stopped, 'the handled-signals filter stops before the handler runs');
    assert.match(end.stopped.body.description, /null|0x0/i);
  } finally {
    await endSession(dc);
  }
});
