// The Debug Console and program output, measured through DAP against `trapdbg dap` and `lldb-dap-22` in the same
// run, interleaved, several repetitions each; prints medians, ratios (trapdbg / lldb-dap), the load average and the
// build of trapdbg.
//
//   node bench/console/bench.mjs [--runs N] [--lines N] [--trapdbg PATH] [--lldb-dap PATH]
//
// Phases: a program that prints N lines and then crashes, from configurationDone to the `stopped` event with every
// line received as `output` events (a line missing at the stop is reported, not timed); a console `bt` at the stop
// (`evaluate` with context repl, "`bt" for both adapters); a `completions` request for a member after "->".
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '../dap/client.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const runs = Number(option('--runs', '5'));
const lines = Number(option('--lines', '20000'));
const artifacts = process.env.TRAPDBG_ARTIFACTS || path.join(repo, 'artifacts');
const aot = path.join(artifacts, 'publish/TrapDebugger.Cli/release_linux-x64/trapdbg');
const trapdbg = option('--trapdbg', existsSync(aot) ? aot : path.join(artifacts, 'bin/TrapDebugger.Cli/release/trapdbg'));
const lldbDap = option('--lldb-dap', '/usr/bin/lldb-dap-22');
for (const tool of [trapdbg, lldbDap]) if (!existsSync(tool)) throw new Error(`${tool} does not exist.`);

const work = mkdtempSync(path.join(os.tmpdir(), 'trapdbg-console-bench-'));
const source = path.join(work, 'chatty.c');
const program = path.join(work, 'chatty');
writeFileSync(source, `
#include <stdio.h>
#include <stdlib.h>
struct account { int id; long balance; struct account *next; };
__attribute__((noinline)) void crash(struct account *acct) { if (acct->balance < 0) __builtin_trap(); }
int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 10;
    for (int i = 0; i < n; i++) printf("line %d of the program's output\\n", i);
    struct account a = { 7, -1, 0 };
    crash(&a);
    return 0;
}
`);
execFileSync('clang-22', ['-g', '-O0', source, '-o', program]);

const now = () => performance.now();
const adapters = {
  trapdbg: () => new Client(trapdbg, ['dap']),
  'lldb-dap': () => new Client(lldbDap, []),
};

async function session(make) {
  const client = make();
  let received = 0;
  let receivedAtStop = -1;
  const countLines = () => {
    // Joined first: a line may be split between two output events.
    const text = client.events.filter(e => e.event === 'output' && e.body.category !== 'console' && e.body.category !== 'important')
      .map(e => e.body.output).join('');
    received = text.match(/line \d+ of the program's output\n/g)?.length ?? 0;
  };
  await client.request('initialize', { adapterID: 'bench', clientID: 'bench', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  const launched = client.request('launch', { program, args: [String(lines)] });
  await client.event('initialized');
  const t0 = now();
  await client.request('configurationDone');
  await launched;
  const stopped = await client.event('stopped');
  const toStop = now() - t0;
  countLines();
  receivedAtStop = received;
  const threadId = stopped.body.threadId;
  const frames = (await client.request('stackTrace', { threadId, startFrame: 0, levels: 20 })).body.stackFrames;
  const frame = frames.find(f => f.name.startsWith('crash')) ?? frames[0];
  const tBt = now();
  const bt = await client.request('evaluate', { expression: '`bt', context: 'repl', frameId: frame.id });
  const backtrace = now() - tBt;
  const tComplete = now();
  const completions = await client.request('completions', { text: 'acct->ba', column: 9, frameId: frame.id });
  const complete = now() - tComplete;
  await client.request('disconnect', { terminateDebuggee: true }).catch(() => {});
  client.child.kill();
  await client.exited;
  return {
    toStop, receivedAtStop, backtrace, complete,
    btLines: bt.body.result.split('\n').filter(l => /^\s*(\* )?(frame )?#\d/.test(l)).length,
    completion: completions.body.targets.map(t => t.label).join(','),
  };
}

const results = { trapdbg: [], 'lldb-dap': [] };
for (let i = 0; i < runs; i++) {
  for (const [name, make] of Object.entries(adapters)) results[name].push(await session(make));
}
const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const row = (label, key) => {
  const t = median(results.trapdbg.map(r => r[key]));
  const l = median(results['lldb-dap'].map(r => r[key]));
  console.log(`${label.padEnd(44)} trapdbg ${t.toFixed(1).padStart(8)} ms   lldb-dap ${l.toFixed(1).padStart(8)} ms   ratio ${(t / l).toFixed(2)}x`);
};
console.log(`trapdbg: ${trapdbg} (${trapdbg.includes('/publish/') ? 'Native AOT' : 'JIT'}); lldb-dap: ${lldbDap}; ${runs} interleaved runs; load average ${os.loadavg().map(v => v.toFixed(1)).join(', ')}`);
row(`${lines} lines printed, then the crash -> stopped`, 'toStop');
row('console `bt at the stop', 'backtrace');
row('completions "acct->ba"', 'complete');
for (const [name, list] of Object.entries(results)) {
  console.log(`${name}: output lines received before the stop ${list.map(r => r.receivedAtStop).join(', ')} of ${lines}; bt frames ${list[0].btLines}; completion ${list[0].completion}`);
}
