// Library values and function calls over DAP, `trapdbg dap` against `lldb-dap-22` (with the Rust toolchain's lldb
// formatters loaded, as rust-lldb and CodeLLDB load them) in the same run, interleaved; prints medians and ratios.
//
//   node bench/values/bench.mjs [--runs N] [--size N] [--calls N] [--trapdbg PATH] [--lldb-dap PATH]
//
// Phases, each on a fresh stop of rust_values (tests/fixtures/rust_values.rs, `big N`) in `hold`:
//   - Variables expansion of a Vec<String> of N elements, paged as VS Code pages it (100 per `variables` request),
//     every element's value shown;
//   - the same for a HashMap<u64, String> of N entries;
//   - a function call from the Debug Console (`rust_add(2, 3)`, an extern "C" function of the program), median of
//     --calls calls per session.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, benchOptions, median, loadAverage } from '../dap/client.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { option, trapdbg, lldbDap, build } = benchOptions(repo);
const runs = Number(option('--runs', '5'));
const size = Number(option('--size', '10000'));
const callsPerSession = Number(option('--calls', '20'));
const loadBefore = loadAverage();

const work = mkdtempSync(path.join(os.tmpdir(), 'trapdbg-values-bench-'));
const source = path.join(repo, 'tests/fixtures/rust_values.rs');
const program = path.join(work, 'rust_values');
execFileSync('rustc', ['-g', '-C', 'opt-level=0', '-o', program, source], { stdio: ['ignore', 'ignore', 'inherit'] });
const holdLine = readFileSync(source, 'utf8').split('\n').findIndex(l => l.includes('// break: hold')) + 1;
const etc = path.join(execFileSync('rustc', ['--print', 'sysroot']).toString().trim(), 'lib/rustlib/etc');
const rustFormatters = [`command script import ${path.join(etc, 'lldb_lookup.py')}`, `command source -s 1 ${path.join(etc, 'lldb_commands')}`];

const adapters = {
  trapdbg: { make: () => new Client(trapdbg, ['dap']), launch: {} },
  'lldb-dap': { make: () => new Client(lldbDap, []), launch: { initCommands: rustFormatters } },
};

const now = () => performance.now();

async function stopInHold(adapter) {
  const client = adapter.make();
  await client.request('initialize', { adapterID: 'bench', clientID: 'bench', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsVariablePaging: true });
  const mark = client.events.length;
  const launched = client.request('launch', { program, args: ['big', String(size)], ...adapter.launch });
  await client.event('initialized');
  await client.request('setBreakpoints', { source: { path: source }, breakpoints: [{ line: holdLine }] });
  await client.request('configurationDone');
  await launched;
  const stopped = await client.event('stopped', mark);
  const trace = await client.request('stackTrace', { threadId: stopped.body.threadId, startFrame: 0, levels: 1 });
  const frameId = trace.body.stackFrames[0].id;
  await client.request('scopes', { frameId });
  return { client, frameId };
}

// The container as a watch shows it (`*names`: lldb-dap applies the Rust formatters to the value, not through the
// reference), then every page of 100 of its elements, as VS Code fetches them when each range is opened.
async function expand(client, frameId, expression) {
  const container = (await client.request('evaluate', { expression, frameId, context: 'watch' })).body;
  const t0 = now();
  let shown = 0;
  let last;
  for (let start = 0; start < size; start += 100) {
    const page = (await client.request('variables', { variablesReference: container.variablesReference, filter: 'indexed', start, count: 100 })).body.variables;
    shown += page.length;
    last = page[page.length - 1];
  }
  const elapsed = now() - t0;
  if (shown !== size) throw new Error(`expansion of ${expression} showed ${shown} of ${size} children`);
  return { elapsed, summary: container.result, last: `${last.name} = ${last.value}` };
}

async function end(client) {
  await client.request('disconnect', { terminateDebuggee: true }).catch(() => {});
  client.child.kill();
  await client.exited;
}

const results = { trapdbg: {}, 'lldb-dap': {} };
const add = (name, key, value) => (results[name][key] ??= []).push(value);
const samples = {};

for (let run = 0; run < runs; run++) {
  for (const [name, adapter] of Object.entries(adapters)) {
    {
      const { client, frameId } = await stopInHold(adapter);
      const vec = await expand(client, frameId, '*names');
      add(name, `Vec<String> of ${size}: every page of 100`, vec.elapsed);
      await end(client);
      samples[name] = { vec: `${vec.summary}; ${vec.last}` };
    }
    {
      const { client, frameId } = await stopInHold(adapter);
      const map = await expand(client, frameId, '*table');
      add(name, `HashMap<u64, String> of ${size}: every page of 100`, map.elapsed);
      await end(client);
      samples[name].map = `${map.summary}; ${map.last}`;
    }
    {
      const { client, frameId } = await stopInHold(adapter);
      const times = [];
      let result;
      for (let i = 0; i < callsPerSession; i++) {
        const t0 = now();
        result = (await client.request('evaluate', { expression: 'rust_add(2, 3)', frameId, context: 'repl' })).body.result;
        times.push(now() - t0);
      }
      add(name, 'function call from the console (rust_add(2, 3))', median(times));
      samples[name].call = result;
      await end(client);
    }
  }
}

console.log(`runs: ${runs}, size: ${size}, trapdbg build: ${build}, load average before: ${loadBefore}, after: ${loadAverage()} (medians, ms)`);
console.log('| phase | trapdbg | lldb-dap-22 | ratio | goal |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const phase of Object.keys(results.trapdbg)) {
  const a = median(results.trapdbg[phase]);
  const b = median(results['lldb-dap'][phase]);
  console.log(`| ${phase} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / b).toPrecision(2)}× | ≤ 0.5× |`);
}
console.log(JSON.stringify(samples, null, 1));
