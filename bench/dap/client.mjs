// A minimal DAP client over a child's stdio, shared by the benchmarks in this folder.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

/** A minimal DAP client over a child's stdio: requests, and waiting for events. */
export class Client {
  constructor(command, args, env = process.env) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'], env });
    this.seq = 0;
    this.buffer = Buffer.alloc(0);
    this.pending = new Map();
    this.events = [];
    this.waiters = [];
    this.exited = new Promise(r => this.child.on('exit', r));
    this.child.stdout.on('data', d => this.receive(d));
  }

  receive(data) {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: *(\d+)/i.exec(this.buffer.subarray(0, end).toString())[1]);
      if (this.buffer.length < end + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString());
      this.buffer = this.buffer.subarray(end + 4 + length);
      if (message.type === 'response') {
        const p = this.pending.get(message.request_seq);
        this.pending.delete(message.request_seq);
        message.success ? p.resolve(message) : p.reject(new Error(`${message.command}: ${message.message}`));
      } else if (message.type === 'event') {
        this.events.push(message);
        for (const w of this.waiters.filter(w => w.name === message.event)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(message);
        }
      }
    }
  }

  request(command, args = {}) {
    const seq = ++this.seq;
    const body = JSON.stringify({ seq, type: 'request', command, arguments: args });
    this.child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return new Promise((resolve, reject) => this.pending.set(seq, { resolve, reject }));
  }

  /** The next `name` event after the events already consumed with `since`. */
  event(name, since = 0) {
    const seen = this.events.slice(since).find(e => e.event === name);
    if (seen) return Promise.resolve(seen);
    return new Promise(resolve => this.waiters.push({ name, resolve }));
  }
}

/** Command-line options and the adapters every DAP benchmark compares. */
export function benchOptions(repo) {
  const argv = process.argv.slice(2);
  const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
  const artifacts = process.env.TRAPDBG_ARTIFACTS || `${repo}/artifacts`;
  const trapdbg = option('--trapdbg', `${artifacts}/publish/TrapDebugger.Cli/release_linux-x64/trapdbg`);
  const lldbDap = option('--lldb-dap', '/usr/bin/lldb-dap-22');
  if (!existsSync(trapdbg))
    throw new Error(`${trapdbg} does not exist; run dotnet publish src/TrapDebugger.Cli -c Release -r linux-x64 first (or pass --trapdbg).`);
  return {
    option,
    trapdbg,
    lldbDap,
    /** The build of the trapdbg binary: a Native AOT executable has no managed entry assembly beside it. */
    build: existsSync(trapdbg + '.dll') ? 'JIT' : 'AOT',
    adapters: {
      trapdbg: () => new Client(trapdbg, ['dap']),
      'lldb-dap': () => new Client(lldbDap, []),
      // The same binary tracing inside the adapter, without the guardian process (what the guardian costs).
      'trapdbg, no guardian': () => new Client(trapdbg, ['dap'], { ...process.env, TRAPDBG_GUARDIAN: '0' }),
    },
  };
}

/** The median of a list of numbers. */
export const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The machine's 1, 5 and 15 minute load averages, as /proc/loadavg gives them. */
export const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** initialize, launch stopped at the entry point, configurationDone, and the `stopped` event. */
export async function launchToEntry(client, program, args = [], extra = {}) {
  await client.request('initialize', { adapterID: 'bench', clientID: 'bench', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  const launched = client.request('launch', { program, args, stopOnEntry: true, ...extra });
  await client.event('initialized');
  await client.request('configurationDone');
  await launched;
  return client.event('stopped');
}

/** Ends the session and the debuggee, and waits for the adapter to exit. */
export async function endSession(client) {
  await Promise.race([client.request('disconnect', { terminateDebuggee: true }).catch(() => {}), new Promise(r => setTimeout(r, 5000))]);
  client.child.kill();
  await client.exited;
}

/** CPU time (ms) the live threads of process `pid` have used, from each /proc/PID/task/TID/schedstat (nanoseconds); on a
 *  shared machine it measures the work itself where wall time also measures the wait for a core. */
export function cpuMs(pid) {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ns / 1e6;
}
