// Every engine request on launched fixtures: breakpoints of three kinds, stepping, threads, stacks, scopes, variables
// with paging, evaluate, setVariable, disassemble, memory, modules, sources, stopOnEntry, terminate, and the errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { buildFixture, buildSource, fixtureDir, lineOf, scriptFile, tempDir } from './fixtures.mjs';
import { startSession, launchToStop, endSession } from './session.mjs';

const multiSource = path.join(fixtureDir, 'verbose_trap_multi.c');

test('launch passes args, cwd and env, and forwards stdout and stderr as output events', async () => {
  const { program } = buildSource('echo_env', `
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
    char cwd[4096];
    printf("arg=%s env=%s gone=%s cwd=%s\\n", argc > 1 ? argv[1] : "-", getenv("TRAPDBG_E2E"),
           getenv("TRAPDBG_E2E_GONE") ? "set" : "unset", getcwd(cwd, sizeof cwd));
    fprintf(stderr, "to stderr\\n");
    return 3;
}
`);
  process.env.TRAPDBG_E2E_GONE = 'inherited';
  const dc = await startSession();
  try {
    const exited = dc.waitForEvent('exited');
    await dc.launchRequest({ program, args: ['hello world'], cwd: tempDir, env: { TRAPDBG_E2E: 'yes', TRAPDBG_E2E_GONE: null } });
    await dc.configurationDoneRequest();
    assert.equal((await exited).body.exitCode, 3);
    assert.match(dc.outputText, new RegExp(`arg=hello world env=yes gone=unset cwd=${tempDir}\\n`));
    assert.match(dc.outputText, /to stderr/);
  } finally {
    delete process.env.TRAPDBG_E2E_GONE;
    await endSession(dc);
  }
});

test('a program that checks for a debugger and exits is said to have checked', async () => {
  const program = buildFixture('anti_debug', '-O0');
  const dc = await startSession();
  try {
    const exited = dc.waitForEvent('exited');
    const terminated = dc.waitForEvent('terminated');
    await dc.launchRequest({ program });
    await dc.configurationDoneRequest();
    assert.equal((await exited).body.exitCode, 3);
    await terminated;
    assert.match(dc.outputText, /exited with status 3; it checked for a debugger: ptrace\(PTRACE_TRACEME\) from being_traced at anti_debug\.c:\d+/);
  } finally {
    await endSession(dc);
  }
});

test('stopOnEntry shows the entry stop; continue runs to the exit', async () => {
  const program = buildFixture('verbose_trap_multi', '-O0');
  const dc = await startSession();
  try {
    const stopped = await launchToStop(dc, { program, args: ['ok'], stopOnEntry: true });
    assert.equal(stopped.body.reason, 'entry');
    const exited = dc.waitForEvent('exited');
    const terminated = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: stopped.body.threadId });
    assert.equal((await exited).body.exitCode, 0);
    await terminated;
    assert.match(dc.outputText, /slot 1 balance 125/);
  } finally {
    await endSession(dc);
  }
});

test('a session ended at once after launch, while the libraries\' debug information is still being read, ends cleanly', async () => {
  // The adapter reads glibc's (compressed) debug file in the background from the first stop on; a disconnect in the
  // middle of that reading must wait for it before the mapped files are closed.
  const program = buildFixture('verbose_trap_multi', '-O0');
  for (let round = 0; round < 5; round++) {
    const dc = await startSession();
    let stderr = '';
    dc._adapterProcess.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise(resolve => dc._adapterProcess.on('exit', (code, signal) => resolve({ code, signal })));
    await launchToStop(dc, { program, args: ['ok'], stopOnEntry: true });
    // A breakpoint request reads every module's line index meanwhile, glibc's too.
    const line = lineOf(multiSource, 'if (to_slot >= SLOT_COUNT)');
    const set = await dc.setBreakpointsRequest({ source: { path: multiSource }, breakpoints: [{ line }] });
    assert.equal(set.body.breakpoints[0].verified, true, JSON.stringify(set.body.breakpoints[0]));
    // The adapter exits by itself once it has answered disconnect.
    await dc.disconnectRequest({ terminateDebuggee: true });
    const end = await Promise.race([exited, new Promise(r => setTimeout(() => r('still running after 20 s'), 20_000))]);
    dc.stopAdapter();
    assert.deepEqual(end, { code: 0, signal: null }, `round ${round}: the adapter ended with ${JSON.stringify(end)}: ${stderr}`);
    assert.doesNotMatch(stderr, /Process terminated|Unhandled|Violation/, `round ${round}`);
  }
});

test('line breakpoint: threads, stack paging, scopes, variables with paging, evaluate, setVariable, next', async () => {
  const program = buildFixture('verbose_trap_multi', '-O0');
  const line = lineOf(multiSource, 'from->balance -= amount;');
  const dc = await startSession();
  try {
    const stoppedPromise = dc.waitForEvent('stopped');
    await dc.launchRequest({ program, args: ['ok'] });
    const set = await dc.setBreakpointsRequest({ source: { path: multiSource }, breakpoints: [{ line }] });
    assert.equal(set.body.breakpoints.length, 1);
    assert.equal(set.body.breakpoints[0].verified, true);
    assert.equal(set.body.breakpoints[0].line, line);
    await dc.configurationDoneRequest();
    const stopped = await stoppedPromise;
    assert.equal(stopped.body.reason, 'breakpoint');
    assert.deepEqual(stopped.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
    const threadId = stopped.body.threadId;

    const threads = await dc.threadsRequest();
    assert.equal(threads.body.threads.length, 1);
    assert.equal(threads.body.threads[0].id, threadId);
    assert.equal(threads.body.threads[0].name, readFileSync(`/proc/${threadId}/task/${threadId}/comm`, 'utf8').trim());

    const trace = await dc.stackTraceRequest({ threadId, startFrame: 0, levels: 1 });
    assert.equal(trace.body.stackFrames.length, 1);
    assert.equal(trace.body.stackFrames[0].name, 'transfer');
    assert.equal(trace.body.stackFrames[0].line, line);
    assert.ok(trace.body.totalFrames >= 2);
    const second = await dc.stackTraceRequest({ threadId, startFrame: 1, levels: 1 });
    assert.equal(second.body.stackFrames[0].name, 'main');
    assert.equal(second.body.stackFrames[0].line, lineOf(multiSource, 'long after = transfer(from, to, amount);'));

    const frameId = trace.body.stackFrames[0].id;
    const scopes = await dc.scopesRequest({ frameId });
    assert.deepEqual(scopes.body.scopes.map(s => s.name), ['Locals', 'Registers', 'Globals']);
    const locals = scopes.body.scopes[0].variablesReference;
    const rows = (await dc.variablesRequest({ variablesReference: locals })).body.variables;
    const byName = Object.fromEntries(rows.map(v => [v.name, v]));
    assert.equal(byName.amount.value, '25');
    assert.equal(byName.amount.evaluateName, 'amount');
    assert.equal(byName.to_slot.value, '1');
    assert.match(byName.amount.memoryReference, /^0x[0-9a-f]+$/);
    const page = (await dc.variablesRequest({ variablesReference: locals, start: 1, count: 1 })).body.variables;
    assert.deepEqual(page.map(v => v.name), [rows[1].name]);

    assert.ok(byName.from.variablesReference > 0, 'the account pointer expands');
    const account = (await dc.variablesRequest({ variablesReference: byName.from.variablesReference })).body.variables;
    const balance = account.find(v => v.name === 'balance');
    assert.equal(balance.value, '100');
    assert.ok(balance.evaluateName);
    assert.equal((await dc.evaluateRequest({ expression: balance.evaluateName, frameId, context: 'watch' })).body.result, '100');

    assert.equal((await dc.evaluateRequest({ expression: 'from->balance', frameId, context: 'watch' })).body.result, '100');
    assert.equal((await dc.evaluateRequest({ expression: 'amount', frameId, context: 'hover' })).body.result, '25');
    assert.equal((await dc.evaluateRequest({ expression: 'amount * 2', frameId, context: 'repl' })).body.result, '50');
    await assert.rejects(dc.evaluateRequest({ expression: 'no_such_name', frameId, context: 'repl' }), /no_such_name/);

    const invalidated = dc.waitForEvent('invalidated');
    const assigned = await dc.send('setVariable', { variablesReference: locals, name: 'amount', value: '30' });
    assert.equal(assigned.body.value, '30');
    await invalidated;
    assert.equal((await dc.evaluateRequest({ expression: 'amount', frameId })).body.result, '30');

    const stepped = dc.waitForEvent('stopped');
    await dc.nextRequest({ threadId });
    assert.equal((await stepped).body.reason, 'step');
    const after = await dc.stackTraceRequest({ threadId, startFrame: 0, levels: 1 });
    assert.equal(after.body.stackFrames[0].line, lineOf(multiSource, 'slots[to_slot].balance += amount;'));

    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId });
    assert.equal((await exited).body.exitCode, 0);
    // The assignment reached the program: 100 + 30 instead of 100 + 25.
    assert.match(dc.outputText, /slot 1 balance 130/);
  } finally {
    await endSession(dc);
  }
});

test('function and instruction breakpoints, stepOut, instruction steps, disassemble, memory, modules, sources', async () => {
  const program = buildFixture('verbose_trap_multi', '-O0');
  const dc = await startSession();
  try {
    const stopped = await launchToStop(dc, { program, args: ['ok'] }, { functionBreakpoints: ['transfer'] });
    assert.equal(stopped.body.reason, 'function breakpoint');
    const threadId = stopped.body.threadId;
    let top = (await dc.stackTraceRequest({ threadId, levels: 1 })).body.stackFrames[0];
    assert.equal(top.name, 'transfer');
    assert.equal(top.line, lineOf(multiSource, 'if (from == NULL)'));

    let next = dc.waitForEvent('stopped');
    await dc.stepOutRequest({ threadId });
    assert.equal((await next).body.reason, 'step');
    top = (await dc.stackTraceRequest({ threadId, levels: 1 })).body.stackFrames[0];
    assert.equal(top.name, 'main');

    // Five instructions before the pc, the pc, and four after; each with its bytes, the function and the lines.
    const pc = top.instructionPointerReference;
    const listing = (await dc.send('disassemble', { memoryReference: pc, instructionOffset: -5, instructionCount: 10, resolveSymbols: true })).body.instructions;
    assert.equal(listing.length, 10);
    assert.equal(listing[5].address, pc);
    for (let i = 1; i < listing.length; i++) {
      const previous = listing[i - 1];
      assert.equal(BigInt(previous.address) + BigInt(previous.instructionBytes.split(' ').length), BigInt(listing[i].address), 'contiguous');
    }
    assert.ok(listing.every(i => i.symbol === 'main'));
    assert.ok(listing.some(i => i.line > 0 && i.location?.path === multiSource));
    assert.match(listing[4].instruction, /^call/);

    const target = listing[7].address;
    const ibp = await dc.send('setInstructionBreakpoints', { breakpoints: [{ instructionReference: target }] });
    assert.equal(ibp.body.breakpoints[0].verified, true);
    next = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId });
    const hit = await next;
    assert.equal(hit.body.reason, 'instruction breakpoint');
    assert.deepEqual(hit.body.hitBreakpointIds, [ibp.body.breakpoints[0].id]);
    assert.equal((await dc.stackTraceRequest({ threadId, levels: 1 })).body.stackFrames[0].instructionPointerReference, target);

    next = dc.waitForEvent('stopped');
    await dc.nextRequest({ threadId, granularity: 'instruction' });
    assert.equal((await next).body.reason, 'step');
    assert.equal((await dc.stackTraceRequest({ threadId, levels: 1 })).body.stackFrames[0].instructionPointerReference, listing[8].address);

    // Memory: read a global through its memory reference, write it, and see the program's view change.
    const id = await dc.evaluateRequest({ expression: 'slots[0].id', context: 'watch' });
    assert.equal(id.body.result, '1000');
    assert.match(id.body.memoryReference, /^0x[0-9a-f]+$/);
    const read = await dc.send('readMemory', { memoryReference: id.body.memoryReference, count: 8 });
    assert.equal(Buffer.from(read.body.data, 'base64').readBigInt64LE(0), 1000n);
    const bytes = Buffer.alloc(8);
    bytes.writeBigInt64LE(4242n);
    const invalidated = dc.waitForEvent('invalidated');
    const written = await dc.send('writeMemory', { memoryReference: id.body.memoryReference, data: bytes.toString('base64') });
    assert.equal(written.body.bytesWritten, 8);
    await invalidated;
    assert.equal((await dc.evaluateRequest({ expression: 'slots[0].id', context: 'watch' })).body.result, '4242');
    const unreadable = await dc.send('readMemory', { memoryReference: '0x10', count: 4 });
    assert.equal(unreadable.body.unreadableBytes, 4);

    const modules = (await dc.send('modules', {})).body;
    const main = modules.modules.find(m => m.path === program);
    assert.equal(main.symbolStatus, 'Symbols loaded.');
    assert.ok(modules.modules.some(m => m.name.startsWith('libc.so')));
    assert.equal(modules.totalModules, modules.modules.length);

    const sources = (await dc.send('loadedSources', {})).body.sources;
    assert.ok(sources.some(s => s.path === multiSource), JSON.stringify(sources));
    const text = (await dc.send('source', { source: { path: multiSource }, sourceReference: 0 })).body.content;
    assert.equal(text, readFileSync(multiSource, 'utf8'));

    // At -O0 every check keeps its own ud2 and its message from the debug information.
    const sites = (await dc.send('trapSites', { module: main.id })).body.sites;
    const messages = sites.map(s => s.message).sort();
    assert.deepEqual(messages, ['amount must be positive', 'destination slot out of range', 'insufficient funds',
      'source account is NULL', 'source account is not open'], JSON.stringify(sites.map(s => [s.function, s.message])));
    assert.ok(sites.every(s => !s.merged && s.messageSource === 'dwarf' && s.kind === 'ud2'));

    const terminated = dc.waitForEvent('terminated');
    await dc.send('terminate', {});
    await terminated;
  } finally {
    await endSession(dc);
  }
});

test('conditions, hit counts and logpoints decide which hits stop', async () => {
  const { program, source } = buildSource('loop', `
#include <stdio.h>
int main(void) {
    int total = 0;
    for (int i = 0; i < 10; i++) {
        total += i; // body
    }
    printf("total %d\\n", total);
    return 0;
}
`);
  const line = lineOf(source, '// body');
  const dc = await startSession();
  try {
    const stopped = dc.waitForEvent('stopped');
    await dc.launchRequest({ program });
    await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line, condition: 'i == 7' }, ] });
    await dc.configurationDoneRequest();
    const first = await stopped;
    assert.equal((await dc.evaluateRequest({ expression: 'i' })).body.result, '7');
    await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line, logMessage: 'i is {i}' }] });
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: first.body.threadId });
    await exited;
    assert.match(dc.outputText, /i is 8\n/);
    assert.match(dc.outputText, /i is 9\n/);
    assert.doesNotMatch(dc.outputText, /i is 6\n/);
  } finally {
    await endSession(dc);
  }
});

test('bad launch and attach arguments get one sentence each and the adapter keeps serving', async () => {
  const dc = await startSession();
  try {
    await assert.rejects(dc.launchRequest({ program: '/nonexistent/program' }), /^Error: launch: program '\/nonexistent\/program' does not exist\.$|does not exist\.$/);
    await assert.rejects(dc.launchRequest({ program: scriptFile() }), /launch: program '.*not-elf\.sh' is not an ELF executable\./);
    await assert.rejects(dc.attachRequest({ pid: 999999999 }), /attach: no process with pid 999999999 exists\./);
    await assert.rejects(dc.stackTraceRequest({ threadId: 1 }), /stackTrace: there is no process; launch or attach first\./);
    const program = buildFixture('verbose_trap_multi', '-O0');
    const exited = dc.waitForEvent('exited');
    await dc.launchRequest({ program, args: ['ok'] });
    await dc.configurationDoneRequest();
    assert.equal((await exited).body.exitCode, 0);
  } finally {
    await endSession(dc);
  }
});
