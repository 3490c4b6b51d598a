// `next` over DAP: trapdbg against lldb-dap-22, interleaved, medians.
//
//   node bench/dap/next.mjs [--runs N] [--steps N] [--trapdbg PATH] [--lldb-dap PATH]
//
// Each run launches bench/dap/steps.c (-O0), stops at the first line of its loop body, removes the breakpoint and
// sends --steps `next` requests (default 100), timing each from the request to its `stopped` event; the lines the
// two debuggers stop on are compared, so both do the same steps.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchOptions, median, loadAverage, endSession, cpuMs } from './client.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const { option, adapters, trapdbg, build } = benchOptions(repo);
const runs = Number(option('--runs', '5'));
const steps = Number(option('--steps', '100'));

const work = mkdtempSync(path.join(os.tmpdir(), 'trapdbg-next-bench-'));
const source = path.join(here, 'steps.c');
const program = path.join(work, 'steps');
execFileSync('clang-22', ['-g', '-O0', source, '-o', program]);
const firstLine = readFileSync(source, 'utf8').split('\n').findIndex(l => l.includes('long a = r * 3;')) + 1;

async function stepRun(make) {
  const client = make();
  await client.request('initialize', { adapterID: 'bench', clientID: 'bench', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  const launched = client.request('launch', { program, args: ['1000'] });
  await client.event('initialized');
  await client.request('setBreakpoints', { source: { path: source }, breakpoints: [{ line: firstLine }] });
  let mark = client.events.length;
  await client.request('configurationDone');
  await launched;
  const hit = await client.event('stopped', mark);
  await client.request('setBreakpoints', { source: { path: source }, breakpoints: [] });
  const threadId = hit.body.threadId;
  const times = [];
  const lines = [];
  let cpu = 0;
  for (let i = 0; i < steps; i++) {
    mark = client.events.length;
    // The CPU reading (every thread's schedstat) is taken outside the timed span.
    const c0 = cpuMs(client.child.pid);
    const t0 = performance.now();
    const stopped = client.event('stopped', mark);
    await client.request('next', { threadId });
    await stopped;
    times.push(performance.now() - t0);
    cpu += cpuMs(client.child.pid) - c0;
    const trace = await client.request('stackTrace', { threadId, startFrame: 0, levels: 1 });
    lines.push(trace.body.stackFrames[0].line);
  }
  await endSession(client);
  return { median: median(times), cpu: cpu / steps, lines };
}

const results = {};
const lineSequences = {};
for (let run = 0; run < runs; run++)
  for (const [name, make] of Object.entries(adapters)) {
    const r = await stepRun(make);
    (results[name] ??= []).push(r);
    lineSequences[name] = r.lines;
  }

const same = lineSequences.trapdbg.every((l, i) => l === lineSequences['lldb-dap'][i]);
console.log(`trapdbg: ${trapdbg} (${build}); ${steps} steps per run, ${runs} interleaved runs; load average: ${loadAverage()}`);
console.log(`lines stepped to: ${same ? 'the same in both' : `differ (trapdbg ${lineSequences.trapdbg.slice(0, 12)}…, lldb-dap ${lineSequences['lldb-dap'].slice(0, 12)}…)`}`);
console.log('| request | trapdbg ms (CPU ms) | lldb-dap-22 ms (CPU ms) | ratio (CPU ratio) | goal |');
console.log('| --- | ---: | ---: | ---: | ---: |');
const [a, ac] = ['median', 'cpu'].map(k => median(results.trapdbg.map(r => r[k])));
const [b, bc] = ['median', 'cpu'].map(k => median(results['lldb-dap'].map(r => r[k])));
console.log(`| next → stopped (median per step; CPU: mean) | ${a.toFixed(2)} (${ac.toFixed(2)}) | ${b.toFixed(2)} (${bc.toFixed(2)}) | ${(a / b).toFixed(2)}× (${(ac / bc).toFixed(2)}×) | ≤ 0.4× |`);
