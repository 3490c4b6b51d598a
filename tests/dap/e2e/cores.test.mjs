// Core files over DAP: `launch` with `coreFile` shows the crash the kernel's core records (threads, stack, variables,
// diagnosis) and refuses to run it with one sentence; `saveCore` writes a core at a live stop that opens the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { buildFixture, fixtureDir, tempDir, lineOf } from './fixtures.mjs';
import { startSession, launchToStop, endSession, rawRequest } from './session.mjs';

/** Runs <program> with <args> until it dies with a core the kernel writes into a folder of its own (core_pattern is
 *  relative on the test machines, and never changed); returns the core's path. */
function kernelCore(program, args) {
  const cwd = mkdtempSync(path.join(tempDir, 'core-'));
  try {
    execFileSync('/bin/sh', ['-c', 'ulimit -c unlimited; exec "$0" "$@" >/dev/null 2>&1', program, ...args], { cwd });
  } catch {
    // It is meant to die of its signal.
  }
  const core = readdirSync(cwd).find(f => f.startsWith('core'));
  assert.ok(core, `the kernel wrote no core of ${program} in ${cwd}; core_pattern is ${execFileSync('cat', ['/proc/sys/kernel/core_pattern'])}`);
  return path.join(cwd, core);
}

const threadsSource = path.join(fixtureDir, 'threads32.c');

test('launch with coreFile shows the crash of a 32-thread program: threads, stack, variables, diagnosis', async () => {
  const program = buildFixture('threads32', '-O0');
  const core = kernelCore(program, ['trap', '5']);
  const dc = await startSession();
  try {
    const stopped = await launchToStop(dc, { coreFile: core, program });
    assert.equal(stopped.body.reason, 'exception');
    assert.match(stopped.body.description, /block checksum mismatch/);
    const threads = (await dc.threadsRequest()).body.threads;
    assert.equal(threads.length, 33, JSON.stringify(threads));
    const tid = stopped.body.threadId;
    const trace = await dc.stackTraceRequest({ threadId: tid, startFrame: 0, levels: 20 });
    const names = trace.body.stackFrames.map(f => f.name);
    const verify = trace.body.stackFrames.find(f => f.name.startsWith('verify_block'));
    assert.ok(verify, names.join(' < '));
    assert.equal(verify.line, lineOf(threadsSource, 'CHECK_FAILED("Integrity check"'));
    assert.ok(names.some(n => n.startsWith('worker')), names.join(' < '));
    const scopes = await dc.scopesRequest({ frameId: verify.id });
    const locals = await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference });
    assert.equal(locals.body.variables.find(v => v.name === 'index')?.value, '5', JSON.stringify(locals.body.variables));
    const evaluated = await dc.evaluateRequest({ expression: 'blocks[index].expected != 0', frameId: verify.id, context: 'watch' });
    assert.equal(evaluated.body.result, 'true');
    const info = await dc.send('exceptionInfo', { threadId: tid });
    assert.match(info.body.description, /block checksum mismatch/);
    // Every other thread unwinds to the worker it runs or to main (joining them, or still creating the last ones); a
    // thread the crash caught as it was being created has run nothing yet: its stack is clone3 alone.
    for (const t of threads.filter(t => t.id !== tid)) {
      const other = await dc.stackTraceRequest({ threadId: t.id, startFrame: 0, levels: 30 });
      const frames = other.body.stackFrames.map(f => f.name);
      assert.ok(frames.some(n => n.startsWith('worker') || n.startsWith('main')) || frames.join() === 'clone3', `thread ${t.id}: ${frames.join(' < ')}`);
    }

    for (const [command, args] of [['continue', { threadId: tid }], ['next', { threadId: tid }], ['stepIn', { threadId: tid }]]) {
      const refused = await rawRequest(dc, command, args);
      assert.equal(refused.success, false, command);
      assert.match(refused.message, /core file .* records a process that has ended/, refused.message);
      assert.equal(refused.message.split('. ').length, 1, `one sentence: ${refused.message}`);
    }
    const set = await rawRequest(dc, 'setVariable', { variablesReference: scopes.body.scopes[0].variablesReference, name: 'index', value: '3' });
    assert.equal(set.success, false);
    assert.match(set.message, /^setVariable: core file .* records a process that has ended: it can be inspected, not written\.$/, set.message);
    const breakpoints = await dc.setBreakpointsRequest({ source: { path: threadsSource }, breakpoints: [{ line: verify.line }] });
    assert.equal(breakpoints.body.breakpoints[0].verified, false);
    assert.match(breakpoints.body.breakpoints[0].message, /cannot be hit in core file/);
  } finally {
    await endSession(dc);
  }
});

test('saveCore at a live stop writes a core that launch with coreFile opens with the same stop and backtrace', async () => {
  const program = buildFixture('verbose_trap_multi', '-O2');
  const saved = path.join(mkdtempSync(path.join(tempDir, 'saved-')), 'core.verbose_trap_multi');
  let live;
  const dc = await startSession();
  try {
    const stopped = await launchToStop(dc, { program, args: ['funds'] });
    assert.equal(stopped.body.reason, 'exception');
    const trace = await dc.stackTraceRequest({ threadId: stopped.body.threadId, startFrame: 0, levels: 10 });
    live = { description: stopped.body.description, frames: trace.body.stackFrames.map(f => `${f.name}:${f.line}`) };
    const response = await dc.send('saveCore', { path: saved });
    assert.equal(response.body.path, saved);
    assert.equal(response.body.threads, 1);
    assert.ok(response.body.includedBytes > 0 && response.body.omittedBytes > 0, JSON.stringify(response.body));
    assert.ok(existsSync(saved) && statSync(saved).size > 0);
    const relative = await rawRequest(dc, 'saveCore', { path: 'core' });
    assert.equal(relative.success, false);
    assert.match(relative.message, /absolute path/);
  } finally {
    await endSession(dc);
  }
  const reopened = await startSession();
  try {
    const stopped = await launchToStop(reopened, { coreFile: saved });
    assert.equal(stopped.body.description, live.description);
    const trace = await reopened.stackTraceRequest({ threadId: stopped.body.threadId, startFrame: 0, levels: 10 });
    assert.deepEqual(trace.body.stackFrames.map(f => `${f.name}:${f.line}`), live.frames);
  } finally {
    await endSession(reopened);
  }
});

test('launch with a coreFile that is not a core answers with one sentence', async () => {
  const notCore = path.join(tempDir, 'not-a-core');
  writeFileSync(notCore, Buffer.alloc(4096, 0x41));
  const dc = await startSession();
  try {
    const response = await rawRequest(dc, 'launch', { coreFile: notCore });
    assert.equal(response.success, false);
    assert.match(response.message, /^launch: .*not-a-core/);
    assert.ok(!/\n|   at /.test(response.message), response.message);
    const missing = await rawRequest(dc, 'launch', { coreFile: path.join(tempDir, 'no-such-core') });
    assert.equal(missing.success, false);
    assert.match(missing.message, /coreFile '.*no-such-core' does not exist/);
  } finally {
    await endSession(dc);
  }
});
