// One scripted DAP session run against `trapdbg dap` and `lldb-dap-22` in the same run, several repetitions each,
// interleaved so machine load affects both alike; prints medians and ratios (trapdbg / lldb-dap).
//
//   node bench/dap/bench.mjs [--runs N] [--trapdbg PATH] [--lldb-dap PATH]
//
// Phases: adapter start -> initialize response; launch -> first stop (a -O2 merged trap); attached service trap ->
// stopped event; stackTrace of the trapped thread; the whole attach session (start to adapter exit).
import { spawn, execFileSync } from 'node:child_process';
import { Client } from './client.mjs';
import { mkdtempSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const runs = Number(option('--runs', '7'));
const artifacts = process.env.TRAPDBG_ARTIFACTS || path.join(repo, 'artifacts');
const trapdbg = option('--trapdbg', path.join(artifacts, 'publish/TrapDebugger.Cli/release_linux-x64/trapdbg'));
const lldbDap = option('--lldb-dap', '/usr/bin/lldb-dap-22');
if (!existsSync(trapdbg)) throw new Error(`${trapdbg} does not exist; run dotnet publish src/TrapDebugger.Cli -c Release -r linux-x64 first.`);

const work = mkdtempSync(path.join(os.tmpdir(), 'trapdbg-dap-bench-'));
const trapProgram = path.join(work, 'verbose_trap_multi');
const service = path.join(work, 'service');
execFileSync('clang-22', ['-g', '-O2', path.join(repo, 'tests/fixtures/verbose_trap_multi.c'), '-o', trapProgram]);
execFileSync('clang-22', ['-g', '-O0', '-pthread', path.join(repo, 'tests/fixtures/service.c'), '-o', service]);

const now = () => performance.now();
const adapters = {
  trapdbg: () => new Client(trapdbg, ['dap']),
  'lldb-dap': () => new Client(lldbDap, []),
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

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { trapdbg: {}, 'lldb-dap': {} };
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
    samples[name] = { launchStop: launch.description, serviceStop: session.description, firstSourceLine: session.line };
  }
}

const goals = { 'adapter start → initialize response': 0.3, 'attached service trap → stopped event': 0.5, 'whole attach session': 0.3 };
console.log(`runs: ${runs} (medians, ms)`);
console.log('| phase | trapdbg | lldb-dap-22 | ratio | goal |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const phase of Object.keys(results.trapdbg)) {
  const a = median(results.trapdbg[phase]);
  const b = median(results['lldb-dap'][phase]);
  console.log(`| ${phase} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / b).toFixed(2)}× | ${goals[phase] ? '≤ ' + goals[phase] + '×' : ''} |`);
}
console.log(JSON.stringify(samples, null, 1));
