// Processes the debuggee makes (tests/fixtures/forker.c): a forked child's crash is said with its diagnosis, the child
// can be followed instead of the parent, a vfork child runs over the parent's breakpoints, and nothing is said about an
// uneventful fork unless forkEvents is "all".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { buildFixture, fixtureDir, lineOf } from './fixtures.mjs';
import { startSession, launchToStop, endSession } from './session.mjs';

const source = path.join(fixtureDir, 'forker.c');
const forker = () => buildFixture('forker', '-O0');

async function launchToExit(dc, args, extra = {}) {
  const exited = dc.waitForEvent('exited');
  await dc.launchRequest({ program: forker(), args, ...extra });
  await dc.configurationDoneRequest();
  return exited;
}

const forkLines = text => text.split('\n').filter(l => /^trapdbg: .*(child|parent) process \d+/.test(l));

test('a forked child that crashes is said once, with the diagnosis and where, and the program goes on', async () => {
  const dc = await startSession();
  try {
    const exited = await launchToExit(dc, ['crash']);
    assert.equal((await exited).body.exitCode, 0);
    await new Promise(r => setTimeout(r, 200));
    const lines = forkLines(dc.outputText);
    assert.equal(lines.length, 1, dc.outputText);
    assert.match(lines[0], /^trapdbg: child process (\d+) of process \d+ stopped: .*\(read_name_length at forker\.c:\d+\); it dies of the signal, as it would have$/);
    const child = lines[0].match(/child process (\d+)/)[1];
    assert.match(dc.outputText, new RegExp(`child ${child} killed by signal 11\\n`));
    assert.match(lines[0], new RegExp(`forker\\.c:${lineOf(source, 'a NULL record faults here')}\\)`));
  } finally {
    await endSession(dc);
  }
});

test('forks that end normally say nothing by default, and one line each with forkEvents "all"', async () => {
  for (const [events, expected] of [[undefined, 0], ['all', 3]]) {
    const dc = await startSession();
    try {
      const exited = await launchToExit(dc, ['many', '3'], events ? { forkEvents: events } : {});
      assert.equal((await exited).body.exitCode, 0);
      await new Promise(r => setTimeout(r, 300));
      const lines = forkLines(dc.outputText);
      assert.equal(lines.length, expected, dc.outputText);
      for (const line of lines) assert.match(line, /^trapdbg: child process \d+ exited with status [0-2]$/);
    } finally {
      await endSession(dc);
    }
  }
});

test('followFork "child": the session stops at the breakpoint in the child, and the parent runs on', async () => {
  const dc = await startSession();
  try {
    const stopped = await launchToStop(dc, { program: forker(), args: ['exit'], followFork: 'child' }, { functionBreakpoints: ['work'] });
    assert.equal(stopped.body.reason, 'function breakpoint');
    assert.match(dc.outputText, /trapdbg: the program forked; following child process (\d+) \(process \d+ runs on without breakpoints\)/);
    const child = Number(dc.outputText.match(/following child process (\d+)/)[1]);
    assert.equal(stopped.body.threadId, child);
    const threads = (await dc.threadsRequest()).body.threads.map(t => t.id);
    assert.deepEqual(threads, [child]);
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: child });
    assert.equal((await exited).body.exitCode, 7);
  } finally {
    await endSession(dc);
  }
});

test('a vfork child runs over the breakpoint in its parent\'s memory; only the parent\'s call stops', async () => {
  const dc = await startSession();
  try {
    const stopped = await launchToStop(dc, { program: forker(), args: ['vfork'] }, { functionBreakpoints: ['work'] });
    assert.equal(stopped.body.reason, 'function breakpoint');
    const frame = (await dc.stackTraceRequest({ threadId: stopped.body.threadId, startFrame: 0, levels: 1 })).body.stackFrames[0];
    assert.equal((await dc.evaluateRequest({ expression: 'id', frameId: frame.id })).body.result, '3');
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: stopped.body.threadId });
    assert.equal((await exited).body.exitCode, 0);
    assert.match(dc.outputText, /child \d+ exited 3\n/);
  } finally {
    await endSession(dc);
  }
});

test('bad fork attributes get one sentence each', async () => {
  const dc = await startSession();
  try {
    for (const [attributes, message] of [
      [{ followFork: 'both' }, /property 'followFork' must be 'parent' or 'child', not 'both'/],
      [{ forkEvents: 'some' }, /property 'forkEvents' must be 'crashes' or 'all', not 'some'/],
      [{ detachOnFork: false }, /'detachOnFork' false .* is not available in a DAP session yet/],
    ]) {
      await assert.rejects(dc.launchRequest({ program: forker(), args: ['exit'], ...attributes }), message);
    }
  } finally {
    await endSession(dc);
  }
});
