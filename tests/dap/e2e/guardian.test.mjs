// The debugger's death must not harm the debuggee: `trapdbg dap` is killed with SIGKILL while attached to the
// multi-threaded `service`, stopped at a breakpoint, and while the service runs over a breakpoint in its hot loop
// (a condition that is never true, so every hit is decided and passed over) with a data breakpoint set on every
// thread. Each time the service must live on, its code bytes equal to its files and no debug register set
// (tests/fixtures/tools/process_check reads both), and it must still end by itself with status 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { buildFixture, fixtureDir, lineOf, tempDir } from './fixtures.mjs';
import { startSession, endSession } from './session.mjs';

const serviceSource = path.join(fixtureDir, 'service.c');
const rounds = 10;
// Long enough to outlive a round on a loaded machine; every service is then awaited to its own exit status.
const serviceMilliseconds = 20000;

function buildChecker() {
  const program = path.join(tempDir, 'process_check');
  execFileSync('clang-22', ['-O1', path.join(fixtureDir, 'tools/process_check.c'), '-o', program], { stdio: 'inherit' });
  return program;
}

function check(checker, pid) {
  try {
    return JSON.parse(execFileSync(checker, [String(pid)], { encoding: 'utf8' }));
  } catch (e) {
    return e.stdout ? JSON.parse(e.stdout) : { error: e.message };
  }
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

/** The tracer of <pid>, 0 for none, or null once the process is gone. */
function tracer(pid) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/TracerPid:\s+(\d+)/);
    return m ? Number(m[1]) : 0;
  } catch {
    return null;
  }
}

/** Starts the service and returns it with a promise of how it ends. */
async function startService(program) {
  const child = spawn(program, [String(serviceMilliseconds)], { stdio: 'ignore' });
  const end = new Promise(resolve => child.on('exit', (code, signal) => resolve({ code, signal })));
  for (let i = 0; i < 300 && readdirSync(`/proc/${child.pid}/task`).length < 5; i++) await sleep(10);
  return { child, pid: child.pid, end };
}

/** Attaches with a breakpoint on <line> (and <condition>) and a write watch on usr1_received, set at the attach stop. */
async function attachWithBreakpoints(pid, line, condition) {
  const dc = await startSession();
  const attachStop = dc.waitForEvent('stopped');
  try {
    await dc.attachRequest({ pid, stopOnEntry: true });
  } catch (e) {
    // Say who traces the process, if anyone does: the tracer's process, its parent and its command line.
    const t = tracer(pid);
    const owner = t > 0 ? readFileSync(`/proc/${t}/status`, 'utf8').match(/Tgid:\s+(\d+)/)?.[1] : undefined;
    const who = owner ? `${owner} (${readFileSync(`/proc/${owner}/cmdline`, 'utf8').replaceAll('\0', ' ')}; parent ${readFileSync(`/proc/${owner}/status`, 'utf8').match(/PPid:\s+(\d+)/)?.[1]})` : 'nobody';
    throw new Error(`${e.message} [process ${pid}, parent ${readFileSync(`/proc/${pid}/status`, 'utf8').match(/PPid:\s+(\d+)/)?.[1]}, traced by ${who}]`);
  }
  await dc.setBreakpointsRequest({ source: { path: serviceSource }, breakpoints: [{ line, condition }] });
  await dc.configurationDoneRequest();
  await attachStop;
  const frameId = (await dc.stackTraceRequest({ threadId: pid, startFrame: 0, levels: 1 })).body.stackFrames[0].id;
  const info = await dc.send('dataBreakpointInfo', { name: 'usr1_received', frameId });
  assert.ok(info.body.dataId, info.body.description);
  const set = await dc.send('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId, accessType: 'write' }] });
  assert.equal(set.body.breakpoints[0].verified, true, set.body.breakpoints[0].message);
  return dc;
}

/** Kills the adapter with SIGKILL and waits until the guardian has let the service go. */
async function killAdapter(dc, service) {
  const adapter = dc._adapterProcess;
  const gone = new Promise(resolve => adapter.once('exit', resolve));
  adapter.kill('SIGKILL');
  await gone;
  for (let i = 0; i < 1000 && tracer(service.pid) > 0; i++) await sleep(10);
  if (tracer(service.pid) === null)
    assert.fail(`the service died after the adapter was killed: ${JSON.stringify(await service.end)}`);
  assert.equal(tracer(service.pid), 0, `process ${service.pid} is still traced 10 s after the adapter was killed`);
}

async function survives(checker, service, what) {
  await sleep(200);
  const report = check(checker, service.pid);
  assert.deepEqual(
    { traced: report.traced, stopped: report.stopped, debugRegisters: report.debugRegisters, mismatches: report.mismatches, firstMismatch: report.firstMismatch },
    { traced: 0, stopped: 0, debugRegisters: 0, mismatches: 0, firstMismatch: '' },
    `${what}: ${JSON.stringify(report)}`);
  assert.ok(report.mappings >= 2 && report.threads === 5, `${what}: ${JSON.stringify(report)}`);
}

test('process_check sees an int3 and a debug register a debugger left behind', async () => {
  const checker = buildChecker();
  const program = buildFixture('service', '-O0', ['-pthread']);
  const service = await startService(program);
  try {
    assert.equal(check(checker, service.pid).mismatches, 0);
    // The byte of a function the service never calls (its SIGUSR1 handler) and the address of a variable.
    const symbols = execFileSync('llvm-nm-22', [program], { encoding: 'utf8' });
    const offset = name => BigInt('0x' + symbols.split('\n').find(l => l.endsWith(` ${name}`)).split(' ')[0]);
    const base = BigInt('0x' + readFileSync(`/proc/${service.pid}/maps`, 'utf8').split('\n')
      .find(l => l.endsWith(program) && l.split(/\s+/)[2] === '00000000').split('-')[0]);
    execFileSync(checker, ['--leave-int3', String(service.pid), String(base + offset('on_usr1'))]);
    execFileSync(checker, ['--leave-watch', String(service.pid), String(base + offset('usr1_received'))]);
    const report = check(checker, service.pid);
    assert.equal(report.mismatches, 1, JSON.stringify(report));
    assert.match(report.firstMismatch, /0xcc in memory/);
    assert.equal(report.debugRegisters, 5, JSON.stringify(report));
  } finally {
    service.child.kill('SIGKILL');
  }
});

test(`kill -9 of the adapter while stopped at a breakpoint, ${rounds} times: the service lives on whole`, async () => {
  const checker = buildChecker();
  const program = buildFixture('service', '-O0', ['-pthread']);
  const line = lineOf(serviceSource, 'atomic_fetch_add(&handled, 1);');
  const ends = [];
  for (let round = 1; round <= rounds; round++) {
    const service = await startService(program);
    ends.push(service.end);
    const dc = await attachWithBreakpoints(service.pid, line);
    const hit = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: service.pid });
    const stop = await hit;
    assert.equal(stop.body.reason, 'breakpoint', `round ${round}`);
    await killAdapter(dc, service);
    await survives(checker, service, `round ${round}, stopped at the breakpoint`);
  }
  for (const [i, end] of (await Promise.all(ends)).entries())
    assert.deepEqual(end, { code: 0, signal: null }, `the service of round ${i + 1} ended ${JSON.stringify(end)}`);
});

test(`kill -9 of the adapter while the service runs over a breakpoint in its hot loop, ${rounds} times: the service lives on whole`, async () => {
  const checker = buildChecker();
  const program = buildFixture('service', '-O0', ['-pthread']);
  const line = lineOf(serviceSource, 'h = h * 2654435761u + (unsigned)i;');
  const ends = [];
  for (let round = 1; round <= rounds; round++) {
    const service = await startService(program);
    ends.push(service.end);
    const dc = await attachWithBreakpoints(service.pid, line, 'i == 1000');
    await dc.continueRequest({ threadId: service.pid });
    // Let the hits run (64 per request, a request every 2 ms), then kill the adapter at a moment of its choosing.
    await sleep(150 + Math.floor(Math.random() * 350));
    await killAdapter(dc, service);
    await survives(checker, service, `round ${round}, running over the breakpoint`);
  }
  for (const [i, end] of (await Promise.all(ends)).entries())
    assert.deepEqual(end, { code: 0, signal: null }, `the service of round ${i + 1} ended ${JSON.stringify(end)}`);
});

test('a launched program the user keeps (terminateDebuggee false) outlives the adapter whole; otherwise the guardian ends it', async () => {
  const checker = buildChecker();
  const program = buildFixture('service', '-O0', ['-pthread']);
  const line = lineOf(serviceSource, 'h = h * 2654435761u + (unsigned)i;');
  for (const keep of [true, false]) {
    const dc = await startSession();
    const entry = dc.waitForEvent('stopped');
    await dc.launchRequest({ program, args: [String(serviceMilliseconds)], stopOnEntry: true, terminateDebuggee: !keep });
    await dc.setBreakpointsRequest({ source: { path: serviceSource }, breakpoints: [{ line, condition: 'i == 1000' }] });
    await dc.configurationDoneRequest();
    const pid = (await entry).body.threadId;
    await dc.continueRequest({ threadId: pid });
    await sleep(300);
    const adapter = dc._adapterProcess;
    const gone = new Promise(resolve => adapter.once('exit', resolve));
    adapter.kill('SIGKILL');
    await gone;
    for (let i = 0; i < 1000 && tracer(pid) > 0; i++) await sleep(10);
    if (!keep) {
      // Ended, as a disconnect would have ended it (a zombie until its parent, the guardian, has gone too).
      for (let i = 0; i < 500 && tracer(pid) !== null && !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8')); i++) await sleep(10);
      assert.ok(tracer(pid) === null || /State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8')), `process ${pid} still runs`);
      continue;
    }
    try {
      assert.equal(tracer(pid), 0, `the kept program ${pid} is gone or still traced`);
      await survives(checker, { pid }, 'a launched program kept running');
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  }
});
