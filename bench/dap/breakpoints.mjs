// setBreakpoints over DAP: trapdbg against lldb-dap-22, interleaved, medians.
//
//   node bench/dap/breakpoints.mjs [--runs N] [--lines N] [--trapdbg PATH] [--lldb-dap PATH]
//
// Each run launches a generated C program (one statement per line, --lines statements, default 1000) stopped at its
// entry point (glibc already mapped), then times one `setBreakpoints` request that sets a breakpoint on every statement
// line, and, in a fresh session, one request with a single line (what one click costs when nothing is indexed yet).
// Both answers are checked: every breakpoint verified, on the line asked for.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchOptions, median, loadAverage, launchToEntry, endSession, cpuMs } from './client.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { option, adapters, trapdbg, build } = benchOptions(repo);
const runs = Number(option('--runs', '5'));
const count = Number(option('--lines', '1000'));

// Functions of 20 statements each, one statement per line, called from main so every line has code.
const work = mkdtempSync(path.join(os.tmpdir(), 'trapdbg-bp-bench-'));
const source = path.join(work, 'lines.c');
const program = path.join(work, 'lines');
const text = ['volatile long v;'];
const statementLines = [];
const functions = Math.ceil(count / 20);
for (let f = 0; f < functions; f++) {
  text.push(`__attribute__((noinline)) void f${f}(long i) {`);
  for (let s = 0; s < 20; s++) {
    text.push(`  v += i * ${f * 20 + s + 1};`);
    statementLines.push(text.length);
  }
  text.push('}');
}
text.push('int main(int argc, char **argv) {');
for (let f = 0; f < functions; f++) text.push(`  f${f}(argc);`);
text.push('  return 0;', '}', '');
writeFileSync(source, text.join('\n'));
execFileSync('clang-22', ['-g', '-O0', source, '-o', program]);
const lines = statementLines.slice(0, count);

async function setLines(make, wanted) {
  const client = make();
  await launchToEntry(client, program);
  // The CPU reading (every thread's schedstat) is taken outside the timed span.
  const c0 = cpuMs(client.child.pid);
  const t0 = performance.now();
  const response = await client.request('setBreakpoints', { source: { path: source }, breakpoints: wanted.map(line => ({ line })) });
  const [elapsed, cpu] = [performance.now() - t0, cpuMs(client.child.pid) - c0];
  await endSession(client);
  const breakpoints = response.body.breakpoints;
  const wrong = breakpoints.filter((b, i) => !b.verified || b.line !== wanted[i]);
  if (breakpoints.length !== wanted.length || wrong.length > 0)
    throw new Error(`${wanted.length} lines: ${breakpoints.length} answers, ${wrong.length} not verified on the line asked for (first: ${JSON.stringify(wrong[0])})`);
  return { elapsed, cpu };
}

const results = {};
const add = (name, key, value) => ((results[name] ??= {})[key] ??= []).push(value);
for (let run = 0; run < runs; run++) {
  for (const [name, make] of Object.entries(adapters)) {
    add(name, `setBreakpoints, ${lines.length} lines`, await setLines(make, lines));
    add(name, 'setBreakpoints, 1 line', await setLines(make, [lines[Math.floor(lines.length / 2)]]));
  }
}

console.log(`trapdbg: ${trapdbg} (${build}); runs: ${runs} interleaved; load average: ${loadAverage()}`);
console.log('| request | trapdbg ms (CPU ms) | lldb-dap-22 ms (CPU ms) | ratio (CPU ratio) | goal |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const key of Object.keys(results.trapdbg)) {
  const [a, ac] = ['elapsed', 'cpu'].map(k => median(results.trapdbg[key].map(r => r[k])));
  const [b, bc] = ['elapsed', 'cpu'].map(k => median(results['lldb-dap'][key].map(r => r[k])));
  console.log(`| ${key} | ${a.toFixed(1)} (${ac.toFixed(1)}) | ${b.toFixed(1)} (${bc.toFixed(1)}) | ${(a / b).toFixed(2)}× (${(ac / bc).toFixed(2)}×) | ${key.includes(`${lines.length} lines`) ? '≤ 0.5×' : ''} |`);
}
