// Connects VS Code to a `trapdbg dap --port` server, adding the server's auth token to `initialize`
// (VS Code's own `debugServer` cannot, so the trapdbgServer attribute uses this instead).
import * as net from 'node:net';
import * as vscode from 'vscode';
import { DapMessageReader, encodeDapMessage, withAuthToken, type AdapterServer } from './dapFraming';

/** A debug adapter that forwards DAP messages over one TCP connection. */
export class TcpDebugAdapter implements vscode.DebugAdapter {
  private readonly emitter = new vscode.EventEmitter<vscode.DebugProtocolMessage>();
  private readonly socket: net.Socket;
  private readonly reader = new DapMessageReader();
  private seq = 1_000_000;
  readonly onDidSendMessage = this.emitter.event;

  constructor(private readonly server: AdapterServer) {
    this.socket = net.connect({ host: server.host, port: server.port });
    this.socket.on('data', (chunk) => {
      try {
        for (const message of this.reader.push(chunk)) this.emitter.fire(message as vscode.DebugProtocolMessage);
      } catch (e) {
        this.fail((e as Error).message);
      }
    });
    this.socket.on('error', (e) => this.fail(`Cannot talk to the trapdbg server at ${server.host}:${server.port}: ${e.message}`));
    this.socket.on('close', () => this.emitter.fire({ type: 'event', event: 'terminated', seq: this.seq++ } as vscode.DebugProtocolMessage));
  }

  handleMessage(message: vscode.DebugProtocolMessage): void {
    if (!this.socket.destroyed) this.socket.write(encodeDapMessage(withAuthToken(message, this.server.authToken)));
  }

  private fail(text: string): void {
    this.emitter.fire({ type: 'event', event: 'output', seq: this.seq++, body: { category: 'important', output: `${text}\n` } } as vscode.DebugProtocolMessage);
    this.socket.destroy();
  }

  dispose(): void {
    this.socket.destroy();
    this.emitter.dispose();
  }
}
