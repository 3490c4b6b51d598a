import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { listRemoteProcesses, remotePickRows, remotePsArguments, RemoteProcessesError, shellQuote } from '../src/processes/remoteProcesses';

test('shellQuote leaves plain words and quotes the rest as a POSIX shell reads them', () => {
  assert.equal(shellQuote('/usr/bin/ssh'), '/usr/bin/ssh');
  assert.equal(shellQuote('--stdio'), '--stdio');
  assert.equal(shellQuote('a b'), "'a b'");
  assert.equal(shellQuote("it's"), "'it'\\''s'");
  assert.equal(shellQuote(''), "''");
});

test('trapdbg ps is asked through the pipe command or the TCP address', () => {
  assert.deepEqual(remotePsArguments({ pipe: ['ssh', 'my box', 'trapdbg', 'agent', '--stdio'] }), ['ps', '--json', '--remote', "ssh 'my box' trapdbg agent --stdio"]);
  assert.deepEqual(remotePsArguments({ address: '127.0.0.1:4712', tokenFile: '/t' }), ['ps', '--json', '--remote-address', '127.0.0.1:4712', '--token-file', '/t']);
});

test('rows show the host pid, the pid inside a container, and skip kernel threads', () => {
  const rows = remotePickRows(JSON.stringify([
    { pid: 2, commandLine: '' },
    { pid: 40, program: '/usr/sbin/sshd', commandLine: 'sshd: /usr/sbin/sshd -D' },
    { pid: 512, namespacePid: 1, program: '/srv/service', commandLine: '/srv/service 60000' },
    { pid: 'x' },
  ]), 'box');
  assert.deepEqual(rows, [
    { label: 'service', description: 'pid 512 · pid 1 in its container · box', detail: '/srv/service 60000', pid: '512' },
    { label: 'sshd', description: 'pid 40 · box', detail: 'sshd: /usr/sbin/sshd -D', pid: '40' },
  ]);
});

test('output that is not the process list is one sentence', () => {
  assert.throws(() => remotePickRows('trapdbg ps: the agent refused', 'box'), (e: unknown) => e instanceof RemoteProcessesError && /printed no process list for box/.test(e.message));
  assert.throws(() => remotePickRows('{}', 'box'), RemoteProcessesError);
});

// The real trapdbg (the suite exports TRAPDBG; otherwise the Native AOT build when it exists) listing this machine's
// processes through a real agent it starts on a pipe.
const trapdbg = process.env['TRAPDBG'] ?? path.resolve(__dirname, '../../../artifacts/publish/TrapDebugger.Cli/release_linux-x64/trapdbg');
test('the picker lists the processes of the agent\'s host through a real agent', { skip: fs.existsSync(trapdbg) ? false : `no trapdbg at ${trapdbg} (set TRAPDBG)` }, async () => {
  const rows = await listRemoteProcesses(trapdbg, { pipe: [trapdbg, 'agent', '--stdio'] });
  assert.ok(rows.some((r) => r.pid === String(process.pid)), 'this test process is listed');
  assert.ok(rows.some((r) => /agent --stdio/.test(r.detail)), 'the agent lists itself');
  await assert.rejects(listRemoteProcesses(trapdbg, { pipe: ['/nonexistent/agent'] }), (e: unknown) =>
    e instanceof RemoteProcessesError && /cannot list the processes of \/nonexistent\/agent: trapdbg ps: cannot start the agent command/.test(e.message));
});
