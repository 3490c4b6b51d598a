// The same scripted DAP session run against the headless entry point `./trapdbg dap` (the repository's launcher, which
// runs the Native AOT build), the Native AOT binary itself (what the VS Code extension and scripts/install run), and
// `lldb-dap-22`, in the same run, several repetitions each, interleaved so machine load affects all alike; prints medians
// and ratios against lldb-dap.
//
//   node bench/dap/bench.mjs [--runs N] [--trapdbg PATH] [--lldb-dap PATH] [--baseline PATH | --guardian-cost] [--only overflow]
//
// --trapdbg measures that executable in place of the Native AOT binary; --only overflow runs just the stack-overflow
// phases; --baseline runs an earlier trapdbg build interleaved with the others and adds its column and the ratio
// binary / baseline, to check a change against the build before it in the same run; --guardian-cost makes the baseline the
// same binary tracing inside the adapter (TRAPDBG_GUARDIAN=0), which is what the guardian process costs. Phases: a stack overflow of about 100,000 frames, launch -> stopped and its first stackTrace page; adapter start ->
// initialize response;
// launch -> first stop (a -O2 merged trap); attached service trap -> stopped event; stackTrace of the trapped thread; the
// whole attach session (start to adapter exit). Prints the load average before and after, and which build ran.
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
const launcher = path.join(repo, 'trapdbg');
// Building happens here, once, so that no measured start pays for it.
const version = execFileSync(launcher, ['--version'], { encoding: 'utf8' }).trim();
const trapdbg = option('--trapdbg', path.join(artifacts, 'publish/TrapDebugger.Cli/release_linux-x64/trapdbg'));
const lldbDap = option('--lldb-dap', '/usr/bin/lldb-dap-22');
const baseline = option('--baseline', null);
const guardianCost = process.argv.includes('--guardian-cost');
if (!existsSync(trapdbg)) throw new Error(`${trapdbg} does not exist.`);
if (baseline && !existsSync(baseline)) throw new Error(`${baseline} does not exist.`);
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`trapdbg ${version}: ./trapdbg (launcher) runs ${path.relative(repo, path.join(artifacts, 'publish/TrapDebugger.Cli/release_linux-x64/trapdbg'))} (Native AOT); binary measured: ${trapdbg}`);
console.log(`load average before: ${loadAverage()} (${os.cpus().length} cores)`);

const work = mkdtempSync(path.join(os.tmpdir(), 'trapdbg-dap-bench-'));
const trapProgram = path.join(work, 'verbose_trap_multi');
const service = path.join(work, 'service');
execFileSync('clang-22', ['-g', '-O2', path.join(repo, 'tests/fixtures/verbose_trap_multi.c'), '-o', trapProgram]);
execFileSync('clang-22', ['-g', '-O0', '-pthread', path.join(repo, 'tests/fixtures/service.c'), '-o', service]);
const overflow = path.join(work, 'stack_overflow');
execFileSync('clang-22', ['-g', '-O0', path.join(repo, 'tests/fixtures/stack_overflow.c'), '-o', overflow]);
// --only overflow: just the stack-overflow phases (the row docs/performance.md has for them).
const only = option('--only', '');

const now = () => performance.now();
const adapters = {
  './trapdbg dap': () => new Client(launcher, ['dap']),
  'trapdbg dap (AOT binary)': () => new Client(trapdbg, ['dap']),
  'lldb-dap-22': () => new Client(lldbDap, []),
  ...(baseline ? { 'trapdbg dap (baseline)': () => new Client(baseline, ['dap']) } : {}),
  ...(guardianCost && !baseline ? { 'trapdbg dap, no guardian': () => new Client(trapdbg, ['dap'], { ...process.env, TRAPDBG_GUARDIAN: '0' }) } : {}),
};

async function initialize(client) {
  await client.request('initialize', { adapterID: 'bench', clientID: 'bench', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
}

async function launchToStop(make, program = trapProgram, args = ['bounds']) {
  const client = make();
  await initialize(client);
  const t0 = now();
  const mark = client.events.length;
  const launched = client.request('launch', { program, args });
  await client.event('initialized');
  await client.request('configurationDone');
  await launched;
  const stopped = await client.event('stopped', mark);
  const elapsed = now() - t0;
  const tStack = now();
  await client.request('stackTrace', { threadId: stopped.body.threadId, startFrame: 0, levels: 20 });
  const stackTrace = now() - tStack;
  await client.request('disconnect', { terminateDebuggee: true }).catch(() => {});
  client.child.kill();
  await client.exited;
  return { elapsed, stackTrace, description: stopped.body.description };
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
const results = Object.fromEntries(Object.keys(adapters).map((name) => [name, {}]));
const add = (name, key, value) => (results[name][key] ??= []).push(value);
const samples = {};

for (let run = 0; run < runs; run++) {
  for (const [name, make] of Object.entries(adapters)) {
    const deep = await launchToStop(make, overflow, ['deep']);
    add(name, 'stack overflow (~100,000 frames): launch → stopped', deep.elapsed);
    add(name, 'stackTrace (20 frames) of the overflowed thread', deep.stackTrace);
    if (only === 'overflow') {
      samples[name] = { overflowStop: deep.description };
      continue;
    }
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

const goals = { 'stack overflow (~100,000 frames): launch → stopped': 0.5, 'adapter start → initialize response': 0.3, 'attached service trap → stopped event': 0.5, 'whole attach session': 0.3 };
const [headless, binary, reference, before] = Object.keys(adapters);
console.log(`runs: ${runs} (medians, ms); load average after: ${loadAverage()}`);
const extra = before ? ` ${before} | binary / baseline |` : '';
console.log(`| phase | ${headless} | ratio | ${binary} | ratio | ${reference} | goal |${extra}`);
console.log(`| --- | ---: | ---: | ---: | ---: | ---: | ---: |${before ? ' ---: | ---: |' : ''}`);
for (const phase of Object.keys(results[reference])) {
  const r = median(results[reference][phase]);
  const cell = (name) => { const m = median(results[name][phase]); return `${m.toFixed(1)} | ${(m / r).toFixed(2)}×`; };
  const against = before ? ` ${median(results[before][phase]).toFixed(1)} | ${(median(results[binary][phase]) / median(results[before][phase])).toFixed(2)}× |` : '';
  console.log(`| ${phase} | ${cell(headless)} | ${cell(binary)} | ${r.toFixed(1)} | ${goals[phase] ? '≤ ' + goals[phase] + '×' : ''} |${against}`);
}
console.log(JSON.stringify(samples, null, 1));
