// A minimal DAP client over a child's stdio, shared by the benchmarks: requests, and waiting for events.
import { spawn } from 'node:child_process';

/** A minimal DAP client over a child's stdio: requests, and waiting for events. */
export class Client {
  constructor(command, args) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
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

