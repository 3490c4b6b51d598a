// Data breakpoints over DAP (dataBreakpointInfo, setDataBreakpoints, the "data breakpoint" stop), value formats (hex
// variables and evaluate, parameters in the call stack), and a disconnect that leaves an attached process suspended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { buildSource, lineOf } from './fixtures.mjs';
import { startSession, launchToStop, endSession } from './session.mjs';

const watched = buildSource('watched', `
#include <stdio.h>
#include <unistd.h>
int counter = 41;
char buffer[40];
__attribute__((noinline)) void checkpoint(void) { __asm__ volatile("" ::: "memory"); }
int main(int argc, char **argv) {
    volatile int local = 255;
    checkpoint();                       /* stop here */
    local = 256;
    counter = 42;
    if (argc > 1) for (;;) { counter++; usleep(1000); }
    printf("%d %d\\n", local, counter);
    return 0;
}
`);

/** Launches the program and stops at the breakpoint in main before its writes; returns the thread and main's frame. */
async function stopBeforeWrites(dc, args = []) {
  const line = lineOf(watched.source, 'stop here');
  const stopped = await launchToStop(dc, { program: watched.program, args }, { breakpoints: [{ path: watched.source, lines: [line] }] });
  assert.equal(stopped.body.reason, 'breakpoint');
  const threadId = stopped.body.threadId;
  const trace = await dc.stackTraceRequest({ threadId, startFrame: 0, levels: 1 });
  return { threadId, frameId: trace.body.stackFrames[0].id };
}

test('dataBreakpointInfo + setDataBreakpoints: writes to a local and a global stop with hitBreakpointIds and old and new values', async () => {
  const dc = await startSession();
  try {
    assert.equal(dc.capabilities.supportsDataBreakpoints, true);
    const { threadId, frameId } = await stopBeforeWrites(dc);

    // The call stack with parameters, in hex when the format asks for it.
    const hexNames = await dc.stackTraceRequest({ threadId, startFrame: 0, levels: 1,
      format: { parameters: true, parameterNames: true, parameterValues: true, hex: true } });
    assert.match(hexNames.body.stackFrames[0].name, /^main\(argc=0x00000001, argv=0x[0-9a-f]{16}\)$/);
    const line = lineOf(watched.source, 'stop here');
    const typed = await dc.stackTraceRequest({ threadId, startFrame: 0, levels: 1,
      format: { parameters: true, parameterTypes: true, parameterValues: false, line: true, module: true } });
    assert.equal(typed.body.stackFrames[0].name, `main(int argc, char ** argv) Line ${line} watched`);
    const bare = await dc.stackTraceRequest({ threadId, startFrame: 0, levels: 1 });
    assert.equal(bare.body.stackFrames[0].name, 'main');

    // A local through its scope's variablesReference, a global through an expression in the frame.
    const scopes = await dc.scopesRequest({ frameId });
    const locals = scopes.body.scopes.find(s => s.name === 'Locals').variablesReference;
    const localInfo = await dc.send('dataBreakpointInfo', { variablesReference: locals, name: 'local' });
    assert.ok(localInfo.body.dataId, localInfo.body.description);
    assert.deepEqual(localInfo.body.accessTypes, ['write', 'readWrite']);
    assert.match(localInfo.body.description, /^local \(volatile int, 4 bytes at 0x[0-9a-f]+\)$/);
    const counterInfo = await dc.send('dataBreakpointInfo', { name: 'counter', frameId });
    assert.ok(counterInfo.body.dataId, counterInfo.body.description);
    const address = (await dc.evaluateRequest({ expression: '&counter', frameId })).body.result.split(' ')[0];
    assert.ok(counterInfo.body.description.includes(`at ${address.replace(/^0x0+/, '0x')}`), counterInfo.body.description);

    // What no debug register can watch is answered with a null dataId and the reason, not an error.
    const tooBig = await dc.send('dataBreakpointInfo', { name: 'buffer', frameId });
    assert.equal(tooBig.body.dataId, null);
    assert.match(tooBig.body.description, /'buffer' is 40 bytes/);

    const set = await dc.send('setDataBreakpoints', { breakpoints: [
      { dataId: localInfo.body.dataId, accessType: 'write' },
      { dataId: counterInfo.body.dataId, accessType: 'write' },
      { dataId: counterInfo.body.dataId, accessType: 'read' },
    ] });
    const [onLocal, onCounter, readOnly] = set.body.breakpoints;
    assert.equal(onLocal.verified, true);
    assert.equal(onCounter.verified, true);
    assert.equal(readOnly.verified, false);
    assert.match(readOnly.message, /cannot trap reads alone/);

    let stopped = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId });
    let event = await stopped;
    assert.equal(event.body.reason, 'data breakpoint');
    assert.deepEqual(event.body.hitBreakpointIds, [onLocal.id]);
    assert.equal(event.body.description, `data breakpoint ${onLocal.id}: local changed from 255 to 256`);

    // The variables view in hex, as the client's format asks.
    const frame = (await dc.stackTraceRequest({ threadId, startFrame: 0, levels: 1 })).body.stackFrames[0];
    const localsNow = (await dc.scopesRequest({ frameId: frame.id })).body.scopes.find(s => s.name === 'Locals').variablesReference;
    const hex = await dc.variablesRequest({ variablesReference: localsNow, format: { hex: true } });
    assert.equal(hex.body.variables.find(v => v.name === 'local').value, '0x00000100');
    const plain = await dc.variablesRequest({ variablesReference: localsNow });
    assert.equal(plain.body.variables.find(v => v.name === 'local').value, '256');
    assert.equal((await dc.evaluateRequest({ expression: 'counter', frameId: frame.id, format: { hex: true } })).body.result, '0x00000029');
    // An expression's own suffix wins over the request's format.
    assert.equal((await dc.evaluateRequest({ expression: 'counter,d', frameId: frame.id, format: { hex: true } })).body.result, '41');

    stopped = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId });
    event = await stopped;
    assert.equal(event.body.reason, 'data breakpoint');
    assert.deepEqual(event.body.hitBreakpointIds, [onCounter.id]);
    assert.equal(event.body.description, `data breakpoint ${onCounter.id}: counter changed from 41 to 42`);
    assert.equal(event.body.allThreadsStopped, true);

    // Replacing the set with nothing frees the registers; the program runs to its end (its stack slot for `local` is
    // reused on the way out, which would otherwise stop again).
    const cleared = await dc.send('setDataBreakpoints', { breakpoints: [] });
    assert.deepEqual(cleared.body.breakpoints, []);
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId });
    assert.equal((await exited).body.exitCode, 0);
    assert.match(dc.outputText, /256 42/);
  } finally {
    await endSession(dc);
  }
});

test('an address range watched as asAddress with bytes, and a readWrite access', async () => {
  const dc = await startSession();
  try {
    const { threadId, frameId } = await stopBeforeWrites(dc);
    const address = (await dc.evaluateRequest({ expression: '&counter', frameId })).body.result.split(' ')[0];
    const info = await dc.send('dataBreakpointInfo', { name: address, asAddress: true, bytes: 4 });
    assert.ok(info.body.dataId, info.body.description);
    const odd = await dc.send('dataBreakpointInfo', { name: `0x${(BigInt(address) + 1n).toString(16)}`, asAddress: true, bytes: 4 });
    assert.equal(odd.body.dataId, null);
    assert.match(odd.body.description, /not aligned/);

    const set = await dc.send('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId, accessType: 'readWrite' }] });
    assert.equal(set.body.breakpoints[0].verified, true);
    const stopped = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId });
    const event = await stopped;
    assert.equal(event.body.reason, 'data breakpoint');
    assert.deepEqual(event.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
    assert.match(event.body.description, /changed from 0x00000029 to 0x0000002a$/);
  } finally {
    await endSession(dc);
  }
});

test('five data breakpoints: the fifth is refused because x86 has four debug registers', async () => {
  const dc = await startSession();
  try {
    const { frameId } = await stopBeforeWrites(dc);
    const info = await dc.send('dataBreakpointInfo', { name: 'counter', frameId });
    const set = await dc.send('setDataBreakpoints', { breakpoints: Array.from({ length: 5 }, () => ({ dataId: info.body.dataId })) });
    assert.deepEqual(set.body.breakpoints.map(b => b.verified), [true, true, true, true, false]);
    assert.match(set.body.breakpoints[4].message, /4 debug registers/);
    assert.equal(new Set(set.body.breakpoints.map(b => b.id)).size, 5);
  } finally {
    await endSession(dc);
  }
});

test('disconnect with suspendDebuggee leaves an attached process stopped, with no data breakpoint armed', async () => {
  const child = spawn(watched.program, ['spin'], { stdio: 'ignore' });
  try {
    await new Promise(r => setTimeout(r, 200));
    const dc = await startSession();
    try {
      const stopped = dc.waitForEvent('stopped');
      await dc.attachRequest({ pid: child.pid, stopOnEntry: true });
      await dc.configurationDoneRequest();
      const { threadId } = (await stopped).body;
      const info = await dc.send('dataBreakpointInfo', { name: 'counter' });
      const set = await dc.send('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId }] });
      assert.equal(set.body.breakpoints[0].verified, true);
      assert.ok(threadId > 0);
    } finally {
      await endSession(dc, { terminateDebuggee: false, suspendDebuggee: true });
    }
    const state = () => readFileSync(`/proc/${child.pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
    assert.equal(state(), 'T');
    // Resumed, it spins writing counter: an armed debug register would kill it with SIGTRAP.
    const died = new Promise(r => child.once('exit', (code, signal) => r(signal ?? code)));
    process.kill(child.pid, 'SIGCONT');
    const outcome = await Promise.race([died, new Promise(r => setTimeout(() => r('running'), 500))]);
    assert.equal(outcome, 'running');
  } finally {
    child.kill('SIGKILL');
  }
});
