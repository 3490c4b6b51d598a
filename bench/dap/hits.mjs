// Breakpoint hits per second of breakpoints that never stop: a conditional breakpoint, a hit-count breakpoint and a
// logpoint on the first line of `f` in bench/native/hotloop.c, over DAP (trapdbg), against gdb -batch
// (`break hotloop.c:N if x == -1`, `ignore`, `dprintf`) and the raw-ptrace floor (bench/native/floor.c, at f's entry),
// interleaved, medians.
//
//   node bench/dap/hits.mjs [--runs N] [--hits N] [--modes condition,hitcount,logpoint] [--trapdbg PATH] [--guardian-cost]
//
// --guardian-cost adds the same binary tracing inside the adapter (TRAPDBG_GUARDIAN=0): the column says what the guardian
// process, which decides each hit by asking the adapter over its socket, costs per hit.
//
// Each tool runs the program twice per run, with N calls of f and with none; the rate is N / (time(N) - time(0)), so
// starting the debugger, reading symbols and launching cancel out and only the hits are measured.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchOptions, median, loadAverage } from './client.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { option, adapters, trapdbg, build } = benchOptions(repo);
const runs = Number(option('--runs', '3'));
const hits = Number(option('--hits', '20000'));
const modes = option('--modes', 'condition,hitcount,logpoint').split(',');

const work = mkdtempSync(path.join(os.tmpdir(), 'trapdbg-hits-bench-'));
const program = path.join(work, 'hotloop');
const floor = path.join(work, 'floor');
const source = path.join(repo, 'bench/native/hotloop.c');
execFileSync('clang-22', ['-g', '-O0', source, '-o', program]);
const line = readFileSync(source, 'utf8').split('\n').findIndex(l => l.includes('sum += x;')) + 1;
execFileSync('clang-22', ['-O2', path.join(repo, 'bench/native/floor.c'), '-o', floor]);
const fOffset = execFileSync('llvm-nm-22', [program], { encoding: 'utf8' }).split('\n').map(l => l.split(' ')).find(p => p[2] === 'f')[0];

// The same breakpoint in each tool's words.
const dapBreakpoint = {
  condition: { line, condition: 'x == -1' },
  hitcount: { line, hitCondition: String(hits + 1) },
  logpoint: { line, logMessage: 'x={x}' },
};
const gdbCommands = {
  condition: [`break hotloop.c:${line} if x == -1`],
  hitcount: [`break hotloop.c:${line}`, `ignore 1 ${hits + 1}`],
  logpoint: [`dprintf hotloop.c:${line},"x=%ld\\n",x`],
};

/** One DAP session from the adapter's start to the program's exit; returns milliseconds and the output lines. */
async function dapRun(mode, calls, adapter = 'trapdbg') {
  const t0 = performance.now();
  const client = adapters[adapter]();
  await client.request('initialize', { adapterID: 'bench', clientID: 'bench', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  const launched = client.request('launch', { program, args: [String(calls)] });
  await client.event('initialized');
  const set = await client.request('setBreakpoints', { source: { path: source }, breakpoints: [dapBreakpoint[mode]] });
  if (!set.body.breakpoints[0].verified || set.body.breakpoints[0].line !== line)
    throw new Error(`trapdbg did not set the breakpoint: ${JSON.stringify(set.body.breakpoints[0])}`);
  await client.request('configurationDone');
  await launched;
  const exited = await Promise.race([client.event('exited'), client.event('stopped')]);
  const elapsed = performance.now() - t0;
  if (exited.event === 'stopped') {
    await client.request('disconnect', { terminateDebuggee: true }).catch(() => {});
    throw new Error(`trapdbg stopped in ${mode} mode: ${JSON.stringify(exited.body)}`);
  }
  // The adapter may send lines queued together as one output event: count lines.
  const logged = client.events.filter(e => e.event === 'output').flatMap(e => e.body.output.split('\n')).filter(l => l.startsWith('x=')).length;
  await client.request('disconnect', {}).catch(() => {});
  await client.exited;
  if (exited.body.exitCode !== (calls * (calls - 1) / 2) % 128) throw new Error(`program exited with ${exited.body.exitCode}`);
  if (mode === 'logpoint' && logged !== calls) throw new Error(`trapdbg logged ${logged} of ${calls} hits`);
  return elapsed;
}

function timed(command, args, check) {
  const t0 = performance.now();
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const elapsed = performance.now() - t0;
  if (r.status !== 0 && r.status !== (hits * (hits - 1) / 2) % 128) throw new Error(`${command} failed (${r.status}): ${r.stderr}`);
  check?.(r);
  return elapsed;
}

const gdbRun = (mode, calls) => timed('gdb', ['-batch', '-nx', ...gdbCommands[mode].flatMap(c => ['-ex', c]), '-ex', 'run', '--args', program, String(calls)], r => {
  if (/Breakpoint 1, /.test(r.stdout)) throw new Error(`gdb stopped in ${mode} mode`);
  if (mode === 'logpoint' && r.stdout.split('\n').filter(l => l.startsWith('x=')).length !== calls) throw new Error('gdb did not print every hit');
});
const floorRun = (mode, calls) => timed(floor, [mode, fOffset, program, String(calls)], r => {
  if (!new RegExp(`: ${calls} hits`).test(r.stderr)) throw new Error(`floor: ${r.stderr}`);
});

const guardianCost = process.argv.includes('--guardian-cost');
const tools = { trapdbg: dapRun, gdb: gdbRun, floor: floorRun, ...(guardianCost ? { inside: (mode, calls) => dapRun(mode, calls, 'trapdbg, no guardian') } : {}) };
const rates = {};
for (let run = 0; run < runs; run++)
  for (const mode of modes)
    for (const [name, go] of Object.entries(tools)) {
      const full = await go(mode, hits);
      const none = await go(mode, 0);
      ((rates[mode] ??= {})[name] ??= []).push(hits / ((full - none) / 1000));
    }

console.log(`trapdbg: ${trapdbg} (${build}); ${hits} hits, ${runs} interleaved runs, medians; load average: ${loadAverage()}`);
const inside = guardianCost ? ' trapdbg, no guardian hits/s | with / without guardian |' : '';
console.log(`| breakpoint | trapdbg hits/s | gdb -batch hits/s | floor hits/s | trapdbg / gdb (goal ≥ 5×) | trapdbg / floor (goal ≥ 0.5) |${inside}`);
console.log(`| --- | ---: | ---: | ---: | ---: | ---: |${guardianCost ? ' ---: | ---: |' : ''}`);
for (const mode of modes) {
  const [t, g, f] = ['trapdbg', 'gdb', 'floor'].map(n => median(rates[mode][n]));
  const i = guardianCost ? median(rates[mode].inside) : 0;
  console.log(`| ${mode} | ${t.toFixed(0)} | ${g.toFixed(0)} | ${f.toFixed(0)} | ${(t / g).toFixed(2)}× | ${(t / f).toFixed(2)} |${guardianCost ? ` ${i.toFixed(0)} | ${(t / i).toFixed(2)} |` : ''}`);
}
