// The adapter's CPU time while the program it debugs runs without breakpoints: trapdbg against lldb-dap-22.
//
//   node bench/dap/idle.mjs [--runs N] [--seconds S] [--settle T] [--trapdbg PATH] [--lldb-dap PATH]
//
// Each run launches bench/dap/spin.c (computing, no system calls) for T + S + 1 seconds (default S = 10), waits T
// seconds after configurationDone (default 2: both adapters read the modules' symbols in the background after launch),
// and reads the adapter's CPU time (all its threads) over the next S seconds.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchOptions, median, loadAverage, endSession, cpuMs } from './client.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const { option, adapters, trapdbg, build } = benchOptions(repo);
const runs = Number(option('--runs', '3'));
const seconds = Number(option('--seconds', '10'));
const settle = Number(option('--settle', '2'));

const work = mkdtempSync(path.join(os.tmpdir(), 'trapdbg-idle-bench-'));
const program = path.join(work, 'spin');
execFileSync('clang-22', ['-g', '-O2', path.join(here, 'spin.c'), '-o', program]);
const sleep = ms => new Promise(r => setTimeout(r, ms));

async function idleRun(make) {
  const client = make();
  await client.request('initialize', { adapterID: 'bench', clientID: 'bench', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  const launched = client.request('launch', { program, args: [String(settle + seconds + 1)] });
  await client.event('initialized');
  await client.request('configurationDone');
  await launched;
  await sleep(settle * 1000);
  const c0 = cpuMs(client.child.pid);
  await sleep(seconds * 1000);
  const cpu = cpuMs(client.child.pid) - c0;
  if (client.events.some(e => e.event === 'exited' || e.event === 'stopped')) throw new Error('the program stopped or ended while it was measured');
  await endSession(client);
  return cpu;
}

const results = {};
for (let run = 0; run < runs; run++)
  for (const [name, make] of Object.entries(adapters)) (results[name] ??= []).push(await idleRun(make));

console.log(`trapdbg: ${trapdbg} (${build}); ${runs} interleaved runs of ${seconds} s; load average: ${loadAverage()}`);
console.log(`| adapter CPU time over ${seconds} s of a running program | trapdbg ms | lldb-dap-22 ms |`);
console.log('| --- | ---: | ---: |');
console.log(`| median (all runs) | ${median(results.trapdbg).toFixed(1)} (${results.trapdbg.map(x => x.toFixed(1)).join(', ')}) | ${median(results['lldb-dap']).toFixed(1)} (${results['lldb-dap'].map(x => x.toFixed(1)).join(', ')}) |`);
