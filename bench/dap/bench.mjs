// One scripted DAP session run against `trapdbg dap` and `lldb-dap-22` in the same run, several repetitions each,
// interleaved so machine load affects both alike; prints medians and ratios (trapdbg / lldb-dap).
//
//   node bench/dap/bench.mjs [--runs N] [--trapdbg PATH] [--lldb-dap PATH] [--baseline PATH]
//
// Phases: adapter start -> initialize response; launch -> first stop (a -O2 merged trap); attached service trap ->
// stopped event; stackTrace of the trapped thread; the whole attach session (start to adapter exit); a breakpoint with
// a false condition hit in a hot loop (per hit); `next` over a call (per step, bench/dap/steps.c).
// --baseline runs a second trapdbg (an earlier build) interleaved with the others and adds its column and the ratio
// trapdbg / baseline, to check a change against the build before it in the same run.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from './client.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const runs = Number(option('--runs', '7'));
const artifacts = process.env.TRAPDBG_ARTIFACTS || path.join(repo, 'artifacts');
const trapdbg = option('--trapdbg', path.join(artifacts, 'publish/TrapDebugger.Cli/release_linux-x64/trapdbg'));
const lldbDap = option('--lldb-dap', '/usr/bin/lldb-dap-22');
const baseline = option('--baseline', null);
if (!existsSync(trapdbg)) throw new Error(`${trapdbg} does not exist; run dotnet publish src/TrapDebugger.Cli -c Release -r linux-x64 first.`);
if (baseline && !existsSync(baseline)) throw new Error(`${baseline} does not exist`);
const conditionHits = 1000;

const work = mkdtempSync(path.join(os.tmpdir(), 'trapdbg-dap-bench-'));
const trapProgram = path.join(work, 'verbose_trap_multi');
const service = path.join(work, 'service');
execFileSync('clang-22', ['-g', '-O2', path.join(repo, 'tests/fixtures/verbose_trap_multi.c'), '-o', trapProgram]);
execFileSync('clang-22', ['-g', '-O0', '-pthread', path.join(repo, 'tests/fixtures/service.c'), '-o', service]);
const hotloopSource = path.join(repo, 'bench/native/hotloop.c');
const hotloop = path.join(work, 'hotloop');
execFileSync('clang-22', ['-g', '-O0', hotloopSource, '-o', hotloop]);
const stepsSource = path.join(repo, 'bench/dap/steps.c');
const steps = path.join(work, 'steps');
execFileSync('clang-22', ['-g', '-O0', stepsSource, '-o', steps]);
// The lines to stop at, found in the sources so the benchmark follows edits of them.
const lineOf = (file, text) => readFileSync(file, 'utf8').split('\n').findIndex(l => l.includes(text)) + 1;
const fLine = lineOf(hotloopSource, 'void f(long x)');
const firstStepLine = lineOf(stepsSource, 'first step line');

const now = () => performance.now();
const adapters = {
  trapdbg: () => new Client(trapdbg, ['dap']),
  'lldb-dap': () => new Client(lldbDap, []),
  ...(baseline ? { baseline: () => new Client(baseline, ['dap']) } : {}),
};

async function initialize(client) {
  await client.request('initialize', { adapterID: 'bench', clientID: 'bench', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
}

async function launchToStop(make) {
  const client = make();
  await initialize(client);
  const t0 = now();
  const mark = client.events.length;
  const launched = client.request('launch', { program: trapProgram, args: ['bounds'] });
  await client.event('initialized');
  await client.request('configurationDone');
  await launched;
  const stopped = await client.event('stopped', mark);
  const elapsed = now() - t0;
  await client.request('disconnect', { terminateDebuggee: true }).catch(() => {});
  client.child.kill();
  await client.exited;
  return { elapsed, description: stopped.body.description };
}

async function attachSession(make) {
  const trapFile = path.join(work, `trap-${Math.random().toString(36).slice(2)}`);
  const target = spawn(service, ['60000', '--trap-file', trapFile], { stdio: 'ignore' });
  for (let i = 0; i < 200 && readdirSync(`/proc/${target.pid}/task`).length < 5; i++) await new Promise(r => setTimeout(r, 5));
  const t0 = now();
  const client = make();
  await initialize(client);
  const started = now() - t0;
  const tAttach = now();
  const attached = client.request('attach', { pid: target.pid, program: service });
  await client.event('initialized');
  await client.request('configurationDone');
  await attached;
  const attach = now() - tAttach;
  const mark = client.events.length;
  await new Promise(r => setTimeout(r, 50));
  const tTrap = now();
  writeFileSync(trapFile, '');
  const stopped = await client.event('stopped', mark);
  const trapToStop = now() - tTrap;
  const tStack = now();
  const trace = await client.request('stackTrace', { threadId: stopped.body.threadId, startFrame: 0, levels: 20 });
  const stackTrace = now() - tStack;
  const tDisconnect = now();
  await client.request('disconnect', { terminateDebuggee: true });
  await client.exited;
  const disconnect = now() - tDisconnect;
  const whole = now() - t0 - 50;
  target.kill('SIGKILL');
  const firstSource = trace.body.stackFrames.find(f => f.source?.path);
  return { started, attach, trapToStop, stackTrace, disconnect, whole, description: stopped.body.description, line: firstSource?.line };
}

/** Launches `program` with a breakpoint at `source`:`line` (with `condition` when given) set before it runs. */
async function launchWithBreakpoint(make, program, args, source, line, condition) {
  const client = make();
  await initialize(client);
  const mark = client.events.length;
  const launched = client.request('launch', { program, args, stopOnEntry: false });
  await client.event('initialized');
  await client.request('setBreakpoints', { source: { path: source }, breakpoints: [{ line, ...(condition ? { condition } : {}) }] });
  await client.request('configurationDone');
  await launched;
  return { client, mark };
}

async function end(client) {
  await client.request('disconnect', { terminateDebuggee: true }).catch(() => {});
  client.child.kill();
  await client.exited;
}

/** A breakpoint in f whose condition is never true, hit conditionHits times: the time per hit, from launch to exit. */
async function conditionalHits(make) {
  const t0 = now();
  const { client } = await launchWithBreakpoint(make, hotloop, [String(conditionHits)], hotloopSource, fLine, 'x == -1');
  await client.event('exited');
  const elapsed = now() - t0;
  await end(client);
  return elapsed / conditionHits;
}

/** Stops at the first call line of steps.c, then steps over one call per line: the time per `next`, request to stopped. */
async function nextSteps(make) {
  const { client, mark } = await launchWithBreakpoint(make, steps, [], stepsSource, firstStepLine);
  const first = await client.event('stopped', mark);
  await client.request('setBreakpoints', { source: { path: stepsSource }, breakpoints: [] });
  const times = [];
  for (let i = 0; i < 10; i++) {
    const since = client.events.length;
    const t = now();
    await client.request('next', { threadId: first.body.threadId });
    await client.event('stopped', since);
    times.push(now() - t);
  }
  await end(client);
  return median(times);
}

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { trapdbg: {}, 'lldb-dap': {}, ...(baseline ? { baseline: {} } : {}) };
const add = (name, key, value) => (results[name][key] ??= []).push(value);
const samples = {};

for (let run = 0; run < runs; run++) {
  for (const [name, make] of Object.entries(adapters)) {
    const launch = await launchToStop(make);
    add(name, 'launch → first stop', launch.elapsed);
    const session = await attachSession(make);
    add(name, 'adapter start → initialize response', session.started);
    add(name, 'attached service trap → stopped event', session.trapToStop);
    add(name, 'stackTrace (20 frames)', session.stackTrace);
    add(name, 'attach → configurationDone answered (part of the session)', session.attach);
    add(name, 'disconnect → adapter exit (part of the session)', session.disconnect);
    add(name, 'whole attach session', session.whole);
    add(name, `breakpoint with a false condition, per hit (${conditionHits} hits)`, await conditionalHits(make));
    add(name, '`next` over a call, per step', await nextSteps(make));
    samples[name] = { launchStop: launch.description, serviceStop: session.description, firstSourceLine: session.line };
  }
}

const goals = { 'adapter start → initialize response': 0.3, 'attached service trap → stopped event': 0.5, 'whole attach session': 0.3 };
console.log(`runs: ${runs} (medians, ms)`);
console.log(`| phase | trapdbg | lldb-dap-22 | ratio | goal |${baseline ? ' baseline | trapdbg / baseline |' : ''}`);
console.log(`| --- | ---: | ---: | ---: | ---: |${baseline ? ' ---: | ---: |' : ''}`);
for (const phase of Object.keys(results.trapdbg)) {
  const a = median(results.trapdbg[phase]);
  const b = median(results['lldb-dap'][phase]);
  const c = baseline ? median(results.baseline[phase]) : 0;
  const against = baseline ? ` ${c.toFixed(2)} | ${(a / c).toFixed(2)}× |` : '';
  console.log(`| ${phase} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(a / b).toFixed(2)}× | ${goals[phase] ? '≤ ' + goals[phase] + '×' : ''} |${against}`);
}
console.log(JSON.stringify(samples, null, 1));
