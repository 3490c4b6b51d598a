// Debugging a service through the remote agent on loopback, against the local adapter and against lldb-dap-22 with
// lldb-server (gdb-remote), in the same run: the attached service's trap -> `stopped` event, and the whole attach
// session (adapter start, attach, configurationDone, the trap, its stackTrace, disconnect, adapter exit). Each round
// runs every setup once, interleaved so machine load affects all alike; prints medians, the ratios the goals name
// (<= 2x the local adapter, <= 0.5x lldb's remote figure), the load average and the build.
//
//   node bench/remote/bench.mjs [--runs N] [--trapdbg PATH] [--lldb-dap PATH] [--lldb-server PATH]
//
// Setups: `trapdbg dap` attaching here; `trapdbg dap` with "remote": {"pipe": [trapdbg, "agent", "--stdio"]} (the agent
// started per session, as ssh would start it); `trapdbg dap` with "remote": {"address", "tokenFile"} to a
// `trapdbg agent --listen 127.0.0.1:0` started once; lldb-dap-22 attaching with gdb-remote to an
// `lldb-server-22 gdbserver` started per session with --attach.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, benchOptions, median, loadAverage } from '../dap/client.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { option, trapdbg, lldbDap, build } = benchOptions(repo);
const lldbServer = option('--lldb-server', '/usr/bin/lldb-server-22');
const runs = Number(option('--runs', '7'));
console.log(`trapdbg ${execFileSync(trapdbg, ['--version'], { encoding: 'utf8' }).trim()} (${build}): ${trapdbg}`);
console.log(`load average before: ${loadAverage()} (${os.cpus().length} cores)`);

const work = mkdtempSync(path.join(os.tmpdir(), 'trapdbg-remote-bench-'));
const service = path.join(work, 'service');
execFileSync('clang-22', ['-g', '-O2', '-pthread', path.join(repo, 'tests/fixtures/service.c'), '-o', service]);

// The TCP agent runs for the whole benchmark, as a service's agent would; its token goes to a file.
const agent = spawn(trapdbg, ['agent', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
const tokenFile = path.join(work, 'token');
const agentAddress = await new Promise((resolve, reject) => {
  let text = '';
  let address;
  let written = false;
  agent.stderr.on('data', (d) => {
    text += d;
    address ??= /listening on (\S+)/.exec(text)?.[1];
    const token = /token ([0-9a-f]{64})/.exec(text)?.[1];
    if (address && token && !written) {
      written = true;
      writeFileSync(tokenFile, token + '\n');
      resolve(address);
    }
  });
  agent.on('exit', () => reject(new Error(`the agent ended: ${text}`)));
});

const freePort = () => new Promise((resolve) => {
  const server = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});

// Waits until something listens on the loopback port, read from /proc/net/tcp: connecting to find out would be the one
// connection lldb-server's gdbserver accepts.
const waitForPort = async (port, limitMs = 20000) => {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (readFileSync('/proc/net/tcp', 'utf8').split('\n').some(l => l.includes(`0100007F${hex}`) && / 0A /.test(l))) return;
    await new Promise(r => setTimeout(r, 2));
  }
  throw new Error(`nothing listens on port ${port}`);
};

// Each setup: how to start its adapter and the attach arguments for a pid; `before` runs inside the measured session
// (a server that must be started for each attach).
const setups = {
  'trapdbg local': { start: () => new Client(trapdbg, ['dap']), attach: (pid) => ({ pid, program: service }) },
  'trapdbg → agent (pipe)': {
    start: () => new Client(trapdbg, ['dap']),
    attach: (pid) => ({ pid, remote: { pipe: [trapdbg, 'agent', '--stdio'] } }),
  },
  'trapdbg → agent (TCP)': {
    start: () => new Client(trapdbg, ['dap']),
    attach: (pid) => ({ pid, remote: { address: agentAddress, tokenFile } }),
  },
  'lldb-dap → lldb-server': {
    start: () => new Client(lldbDap, []),
    before: async (pid) => {
      const port = await freePort();
      const server = spawn(lldbServer, ['gdbserver', `127.0.0.1:${port}`, '--attach', String(pid)], { stdio: 'ignore' });
      await waitForPort(port);
      return { port, server };
    },
    attach: (pid, { port }) => ({ program: service, 'gdb-remote-port': port, 'gdb-remote-hostname': '127.0.0.1' }),
  },
};

const now = () => performance.now();

async function attachSession(setup) {
  const trapFile = path.join(work, `trap-${Math.random().toString(36).slice(2)}`);
  const target = spawn(service, ['60000', '--trap-file', trapFile], { stdio: 'ignore' });
  for (let i = 0; i < 200 && readdirSync(`/proc/${target.pid}/task`).length < 5; i++) await new Promise(r => setTimeout(r, 5));
  const t0 = now();
  const extra = setup.before ? await setup.before(target.pid) : {};
  const client = setup.start();
  try {
    await client.request('initialize', { adapterID: 'bench', clientID: 'bench', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const attached = client.request('attach', setup.attach(target.pid, extra));
    await client.event('initialized');
    await client.request('configurationDone');
    await attached;
    // lldb-dap reports the attach stop and may leave the service stopped there: let it run before the trap.
    await new Promise(r => setTimeout(r, 50));
    const attachStop = client.events.find(e => e.event === 'stopped');
    if (attachStop) {
      // It may already run again (configurationDone resumed it): then lldb-dap answers 'notStopped', which is fine.
      await client.request('continue', { threadId: attachStop.body.threadId || target.pid }).catch(() => {});
      await new Promise(r => setTimeout(r, 50));
    }
    const mark = client.events.length;
    const tTrap = now();
    writeFileSync(trapFile, '');
    // The trap's stop. lldb-dap reports one stop as a `stopped` event per thread (the others say "signal SIGSTOP"), and
    // lldb-server may hold a late SIGSTOP of its attach: the first event that is not a SIGSTOP is the trap; a process
    // that stays in a SIGSTOP stop for a second is resumed once.
    const isTrap = e => e.event === 'stopped' && !/SIGSTOP/.test(e.body.description ?? '');
    let stopped = client.events.slice(mark).find(isTrap);
    for (let resumed = false; !stopped;) {
      await Promise.race([client.event('stopped', client.events.length), new Promise(r => setTimeout(r, 1000))]);
      stopped = client.events.slice(mark).find(isTrap);
      if (!stopped && !resumed && client.events.slice(mark).some(e => e.event === 'stopped')) {
        resumed = true;
        await client.request('continue', { threadId: target.pid }).catch(() => {});
      }
    }
    const trapToStop = now() - tTrap;
    // lldb-dap may name no thread in the stop (threadId 0): the thread that trapped is then found in the threads' list.
    let threadId = stopped.body.threadId;
    if (!threadId) threadId = (await client.request('threads')).body.threads[0].id;
    const trace = await client.request('stackTrace', { threadId, startFrame: 0, levels: 20 });
    await Promise.race([client.request('disconnect', { terminateDebuggee: true }).catch(() => {}), new Promise(r => setTimeout(r, 10000))]);
    client.child.kill();
    await client.exited;
    const whole = now() - t0 - (attachStop ? 100 : 50);
    const top = trace.body.stackFrames.find(f => f.source?.path);
    return { trapToStop, whole, description: stopped.body.description ?? stopped.body.reason, top: top && `${top.name}:${top.line}` };
  } catch (e) {
    if (process.env.BENCH_DEBUG) for (const ev of client.events) console.error(JSON.stringify(ev).slice(0, 300));
    throw new Error(`${setup.name}: ${e.message}; console: ${client.events.filter(e => e.event === 'output').map(e => e.body.output.trim()).join(' | ')}`);
  } finally {
    client.child.kill('SIGKILL');
    extra.server?.kill('SIGKILL');
    target.kill('SIGKILL');
  }
}

for (const [name, setup] of Object.entries(setups)) setup.name = name;
const only = option('--only', null);
if (only) for (const name of Object.keys(setups)) if (!name.includes(only)) delete setups[name];
const results = Object.fromEntries(Object.keys(setups).map(name => [name, { trap: [], whole: [] }]));
const samples = {};
try {
  for (let run = 0; run < runs; run++) {
    for (const [name, setup] of Object.entries(setups)) {
      const r = await attachSession(setup);
      results[name].trap.push(r.trapToStop);
      results[name].whole.push(r.whole);
      samples[name] = { stop: r.description, top: r.top };
    }
  }
} finally {
  agent.kill();
}

const local = 'trapdbg local';
const lldb = 'lldb-dap → lldb-server';
console.log(`runs: ${runs} (medians, ms); load average after: ${loadAverage()}; build: ${build}`);
console.log('| phase | setup | ms | ÷ local | ÷ lldb remote |');
console.log('| --- | --- | ---: | ---: | ---: |');
for (const [phase, key, goal] of [['attached service trap → stopped', 'trap'], ['whole attach session', 'whole']]) {
  for (const name of Object.keys(setups)) {
    const m = median(results[name][key]);
    const ratio = (other) => (name === other ? '' : `${(m / median(results[other][key])).toFixed(2)}×`);
    console.log(`| ${phase} | ${name} | ${m.toFixed(1)} | ${ratio(local)} | ${ratio(lldb)} |`);
  }
}
console.log('goals: through the agent ≤ 2× local and ≤ 0.5× lldb remote');
console.log(JSON.stringify(samples, null, 1));
