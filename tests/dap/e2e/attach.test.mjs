// Attaching to the running `service` fixture: threads named by the kernel, pause, a trap while attached, detach that
// leaves the service running, and waitFor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { buildFixture, fixtureDir, lineOf, tempDir } from './fixtures.mjs';
import { startSession, firstSourceFrame, endSession } from './session.mjs';

const serviceSource = path.join(fixtureDir, 'service.c');

function startService(...args) {
  const program = buildFixture('service', '-O0', ['-pthread']);
  const child = spawn(program, ['60000', ...args], { stdio: 'ignore' });
  return { program, child, pid: child.pid };
}

async function waitForThreads(pid, count) {
  for (let i = 0; i < 200 && readdirSync(`/proc/${pid}/task`).length < count; i++)
    await new Promise(r => setTimeout(r, 10));
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').match(/\) Z /);
  } catch {
    return false;
  }
}

test('attach to the service: kernel thread names, pause, continue, then a trap lands on the check line', async () => {
  const trapFile = path.join(tempDir, `trap-${process.pid}`);
  const { child, pid } = startService('--trap-file', trapFile);
  await waitForThreads(pid, 5);
  const dc = await startSession();
  try {
    await dc.attachRequest({ pid });
    await dc.configurationDoneRequest();
    const threads = (await dc.threadsRequest()).body.threads;
    assert.equal(threads.length, 5);
    for (const t of threads)
      assert.equal(t.name, readFileSync(`/proc/${pid}/task/${t.id}/comm`, 'utf8').trim());
    assert.ok(threads.some(t => t.id === pid));

    const paused = dc.waitForEvent('stopped');
    await dc.pauseRequest({ threadId: pid });
    const pause = await paused;
    assert.equal(pause.body.reason, 'pause');
    assert.equal(pause.body.allThreadsStopped, true);

    const continued = dc.waitForEvent('continued');
    await dc.continueRequest({ threadId: pause.body.threadId });
    assert.equal((await continued).body.allThreadsContinued, true);

    const trapped = dc.waitForEvent('stopped');
    writeFileSync(trapFile, '');
    const trap = await trapped;
    assert.equal(trap.body.reason, 'exception');
    assert.match(trap.body.description, /request accepted while the service is draining/);
    const { frame } = await firstSourceFrame(dc, trap.body.threadId);
    assert.equal(frame.source.path, serviceSource);
    assert.equal(frame.line, lineOf(serviceSource, 'CHECK_FAILED("State check"'));
    const info = await dc.send('exceptionInfo', { threadId: trap.body.threadId });
    assert.equal(info.body.exceptionId, 'verbose-trap');
    assert.equal(info.body.description, 'State check: request accepted while the service is draining');
    const origins = await dc.send('trapOrigins', { threadId: trap.body.threadId });
    assert.equal(origins.body.kind, 'verbose-trap');
    await assert.rejects(dc.send('exceptionInfo', { threadId: threads.find(t => t.id !== trap.body.threadId).id }), /did not cause the stop/);
  } finally {
    await endSession(dc, { terminateDebuggee: true });
    child.kill('SIGKILL');
  }
  assert.equal(alive(pid), false);
});

test('disconnect with terminateDebuggee false detaches and the service keeps running', async () => {
  const { child, pid } = startService();
  await waitForThreads(pid, 5);
  const dc = await startSession();
  try {
    const stopped = dc.waitForEvent('stopped');
    await dc.attachRequest({ pid, stopOnEntry: true });
    await dc.configurationDoneRequest();
    await stopped;
    const trace = await dc.stackTraceRequest({ threadId: pid });
    assert.ok(trace.body.stackFrames.some(f => f.name === 'main'));
    await endSession(dc, { terminateDebuggee: false });
    await new Promise(r => setTimeout(r, 100));
    assert.equal(alive(pid), true);
    assert.doesNotMatch(readFileSync(`/proc/${pid}/status`, 'utf8'), /TracerPid:\s+[1-9]/);
  } finally {
    child.kill('SIGKILL');
  }
});

test('attach with waitFor catches the program when it starts', async () => {
  const program = buildFixture('service', '-O0', ['-pthread']);
  const dc = await startSession();
  let child;
  try {
    const attached = dc.attachRequest({ program, waitFor: true, stopOnEntry: true });
    await new Promise(r => setTimeout(r, 300));
    child = spawn(program, ['60000'], { stdio: 'ignore' });
    const stopped = dc.waitForEvent('stopped');
    await attached;
    await dc.configurationDoneRequest();
    await stopped;
    const threads = await dc.threadsRequest();
    assert.ok(threads.body.threads.some(t => t.id === child.pid));
  } finally {
    await endSession(dc, { terminateDebuggee: true });
    child?.kill('SIGKILL');
  }
});
