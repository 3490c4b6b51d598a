// Debugging through the remote agent over DAP: `trapdbg dap` with "remote" set reaches a real `trapdbg agent` (on a pipe,
// as ssh or docker exec would start it, or on a token-guarded TCP port), launches and attaches through it, waits for a
// program to start, and survives the death of either end without harming the service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, linkSync, openSync, readFileSync, readSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildFixture, fixtureDir, lineOf, tempDir } from './fixtures.mjs';
import { startSession, launchToStop, firstSourceFrame, endSession } from './session.mjs';
import { trapdbgPath } from '../test/adapter.mjs';

const serviceSource = path.join(fixtureDir, 'service.c');
const multiSource = path.join(fixtureDir, 'verbose_trap_multi.c');
const pipe = () => ({ pipe: [trapdbgPath(), 'agent', '--stdio'] });
const sleep = ms => new Promise(r => setTimeout(r, ms));

function startService(...args) {
  const program = buildFixture('service', '-O0', ['-pthread']);
  const child = spawn(program, ['60000', ...args], { stdio: 'ignore' });
  return { program, child, pid: child.pid };
}

async function waitFor(condition, what, limitMs = 30000) {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

// The tracer's process (TracerPid names the thread that attached, the agent's tracer thread).
const tgidOf = tid => Number(/Tgid:\s+(\d+)/.exec(readFileSync(`/proc/${tid}/status`, 'utf8'))[1]);
const tracerOf = pid => {
  const tid = Number(/TracerPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  return tid === 0 ? 0 : tgidOf(tid);
};
const stateOf = pid => /\) (\S) /.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))[1];

/** Every executable mapping of a file in the process, read from /proc/PID/mem: what the program runs, breakpoints included. */
function codeBytes(pid) {
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  try {
    const parts = [];
    for (const line of readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
      const f = line.split(/\s+/);
      if (f.length < 6 || f[1][2] !== 'x' || !f[5].startsWith('/')) continue;
      const [start, end] = f[0].split('-').map(h => BigInt(`0x${h}`));
      const buffer = Buffer.alloc(Number(end - start));
      readSync(fd, buffer, 0, buffer.length, start);
      parts.push(buffer);
    }
    return Buffer.concat(parts);
  } finally {
    closeSync(fd);
  }
}

/** The one child process of `pid` (the agent the adapter started on its pipe). */
function childOf(pid) {
  const children = readdirSync(`/proc/${pid}/task`).flatMap(t => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/)).filter(Boolean);
  assert.equal(children.length, 1, `children of ${pid}: ${children}`);
  return Number(children[0]);
}

/** Asserts that the service's tracer is the agent, or the guardian process the agent started for it (a child of the
 * agent running `trapdbg guardian`, which holds the breakpoint bytes so that the agent's own death leaves the service whole). */
function assertTracedBy(pid, agentPid) {
  const tracer = tracerOf(pid);
  if (tracer === agentPid) return;
  const parent = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${tracer}/status`, 'utf8'))[1]);
  const command = readFileSync(`/proc/${tracer}/cmdline`, 'utf8').split('\0');
  assert.ok(parent === agentPid && command.includes('guardian'),
    `the tracer ${tracer} (${command.join(' ')}, parent ${parent}) is the agent ${agentPid} or its guardian`);
}

/** `trapdbg agent --listen 127.0.0.1:0`, its address and a file holding the token it printed. */
async function startTcpAgent() {
  const agent = spawn(trapdbgPath(), ['agent', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  agent.stderr.on('data', d => { text += d; });
  await waitFor(() => /listening on \S+/.test(text) && /token [0-9a-f]{64}/.test(text) || agent.exitCode !== null, 'the agent to listen');
  const tokenFile = path.join(tempDir, `token-${agent.pid}`);
  writeFileSync(tokenFile, /token ([0-9a-f]{64})/.exec(text)[1] + '\n');
  return { agent, remote: { address: /listening on (\S+)/.exec(text)[1], tokenFile }, log: () => text };
}

test('launch through the agent: the -O2 merged trap names its check, and the program\'s output arrives', async () => {
  const program = buildFixture('verbose_trap_multi', '-O2');
  const dc = await startSession();
  try {
    const stopped = await launchToStop(dc, { program, args: ['bounds'], remote: pipe() });
    assert.equal(stopped.body.reason, 'exception');
    assert.ok(stopped.body.description.startsWith('Bounds check: destination slot out of range'), stopped.body.description);
    const { frame } = await firstSourceFrame(dc, stopped.body.threadId);
    assert.equal(frame.source.path, multiSource);
    assert.ok([lineOf(multiSource, 'if (to_slot >= SLOT_COUNT)'), lineOf(multiSource, '__builtin_verbose_trap("Bounds check"')].includes(frame.line), `line ${frame.line}`);
    const info = await dc.send('exceptionInfo', { threadId: stopped.body.threadId });
    assert.ok(info.body.description.startsWith('Bounds check: destination slot out of range'), info.body.description);
  } finally {
    await endSession(dc, { terminateDebuggee: true });
  }

  // A run that ends normally: what it printed comes back as output, then the exit.
  const ok = await startSession();
  try {
    const exited = ok.waitForEvent('exited');
    await ok.launchRequest({ program: buildFixture('verbose_trap_multi', '-O0'), args: ['ok'], remote: pipe() });
    await ok.configurationDoneRequest();
    assert.equal((await exited).body.exitCode, 0);
    await waitFor(() => /slot \d+ balance -?\d+/.test(ok.outputText), 'the program\'s output');
  } finally {
    await endSession(ok);
  }
});

test('attach through the TCP agent: a breakpoint in the hot function, stepping and variables; detach leaves the service as it was', async () => {
  const { agent, remote } = await startTcpAgent();
  const { child, pid } = startService();
  const dc = await startSession();
  try {
    await sleep(200);
    const before = codeBytes(pid);
    await dc.attachRequest({ pid, remote });
    const bp = await dc.send('setFunctionBreakpoints', { breakpoints: [{ name: 'handle_request' }] });
    assert.equal(bp.body.breakpoints[0].verified, true);
    const stopped = dc.waitForEvent('stopped');
    await dc.configurationDoneRequest();
    const hit = await stopped;
    assert.equal(hit.body.reason, 'function breakpoint');
    const { frame } = await firstSourceFrame(dc, hit.body.threadId);
    assert.equal(frame.name, 'handle_request');
    assert.equal(frame.source.path, serviceSource);

    const stepped = dc.waitForEvent('stopped');
    await dc.nextRequest({ threadId: hit.body.threadId });
    assert.equal((await stepped).body.reason, 'step');
    const after = await firstSourceFrame(dc, hit.body.threadId);
    assert.ok(after.frame.line > frame.line, `stepped from line ${frame.line} to ${after.frame.line}`);
    const scopes = await dc.scopesRequest({ frameId: after.frame.id });
    const locals = (await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference })).body.variables;
    assert.ok(locals.some(v => v.name === 'req' && /0x[0-9a-f]+/.test(v.value)), JSON.stringify(locals));

    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    await endSession(dc, { terminateDebuggee: false });
    await waitFor(() => tracerOf(pid) === 0, 'the agent to detach');
    await sleep(100);
    assert.notEqual(stateOf(pid), 't');
    assert.ok(codeBytes(pid).equals(before), 'the code bytes are as before the session');
    assert.equal(agent.exitCode, null, 'the agent serves on');
  } finally {
    dc.stopAdapter();
    child.kill('SIGKILL');
    agent.kill('SIGKILL');
  }
});

test('attach with waitFor through the agent catches a program a shell starts (fork, then exec)', async () => {
  // The service under a name nothing else runs (other test files start it meanwhile), waited for by that name: a hard
  // link, not a copy, which a child forked meanwhile could still hold open for writing ("Text file busy" at exec).
  const program = path.join(tempDir, `waited-${process.pid}`);
  linkSync(buildFixture('service', '-O0', ['-pthread']), program);
  const dc = await startSession();
  let shell;
  try {
    const attached = dc.attachRequest({ program: path.basename(program), waitFor: true, stopOnEntry: true, remote: pipe() });
    // The adapter says when the agent has begun waiting: a process started from then on is caught.
    await waitFor(() => dc.outputText.includes(`waiting for a process running '${path.basename(program)}'`), 'the wait to begin');
    // The shell is already running when its pid first appears; it becomes the program only at its exec.
    shell = spawn('sh', ['-c', `sleep 0.3; exec '${program}' 60000`], { stdio: 'ignore' });
    const stopped = dc.waitForEvent('stopped');
    await attached;
    await dc.configurationDoneRequest();
    await stopped;
    const threads = (await dc.threadsRequest()).body.threads;
    assert.ok(threads.some(t => t.id === shell.pid), `threads ${JSON.stringify(threads)} hold pid ${shell.pid}`);
  } finally {
    await endSession(dc, { terminateDebuggee: true });
    shell?.kill('SIGKILL');
  }
});

test('the agent killed with -9 while running over breakpoints in hot code: the session ends with one sentence and the service runs on untraced, its code restored', async () => {
  const { child, pid } = startService();
  await sleep(200);
  const before = codeBytes(pid);
  const dc = await startSession();
  try {
    await dc.attachRequest({ pid, remote: pipe() });
    // A condition that is never true keeps the breakpoint inserted, hit and passed over in the hot function.
    await dc.send('setFunctionBreakpoints', { breakpoints: [{ name: 'handle_request', condition: 'req->id == 0' }] });
    await dc.configurationDoneRequest();
    await sleep(300);
    const agentPid = childOf(dc._adapterProcess.pid);
    assertTracedBy(pid, agentPid);
    const terminated = dc.waitForEvent('terminated');
    process.kill(agentPid, 'SIGKILL');
    await terminated;
    const sentence = dc.outputText.split('\n').find(l => l.startsWith('The agent ('));
    assert.match(sentence, /^The agent \(.*agent --stdio\) closed the connection.*; the session of process \d+ has ended\.$/);
    await waitFor(() => tracerOf(pid) === 0, 'the guardian to detach the service');
    await sleep(100);
    assert.notEqual(stateOf(pid), 't');
    assert.equal(child.exitCode, null, 'the service runs on');
    assert.ok(codeBytes(pid).equals(before), 'the code bytes are as before the attach');
  } finally {
    dc.stopAdapter();
    child.kill('SIGKILL');
  }
});

for (const [when, stopFirst] of [['while stopped at a breakpoint', true], ['while running over breakpoints in hot code', false]]) {
  test(`the adapter killed with -9 ${when}: the agent restores the code and detaches; the service runs on (5 times)`, async () => {
    const { child, pid } = startService();
    try {
      await sleep(200);
      const before = codeBytes(pid);
      for (let round = 0; round < 5; round++) {
        const dc = await startSession();
        await dc.attachRequest({ pid, remote: pipe() });
        // A condition that is never true keeps the breakpoint hit and passed over in the hot function.
        await dc.send('setFunctionBreakpoints', { breakpoints: [{ name: 'handle_request', ...(stopFirst ? {} : { condition: 'req->id == 0' }) }] });
        const stopped = stopFirst ? dc.waitForEvent('stopped') : null;
        await dc.configurationDoneRequest();
        if (stopped) await stopped;
        else await sleep(300);
        const agentPid = childOf(dc._adapterProcess.pid);
        assertTracedBy(pid, agentPid);
        dc._adapterProcess.kill('SIGKILL');
        await waitFor(() => tracerOf(pid) === 0, `the agent to detach (round ${round})`);
        await sleep(100);
        assert.equal(child.exitCode, null, `the service runs on (round ${round})`);
        assert.notEqual(stateOf(pid), 't');
        assert.ok(codeBytes(pid).equals(before), `the code bytes are as before (round ${round})`);
        await waitFor(() => { try { process.kill(agentPid, 0); return false; } catch { return true; } }, 'the agent to end');
      }
    } finally {
      child.kill('SIGKILL');
    }
  });
}
