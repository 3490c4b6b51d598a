import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { describeProcess, parseCmdline, parsePasswd, parseStat, parseStatusUid, processPickRows, readProcesses } from '../src/processes/procfs';

// Field layout as the kernel prints it (fs/proc/array.c): pid (comm) state ppid pgrp session tty tpgid flags ... starttime is field 22.
function statLine(pid: number, comm: string, state: string, ppid: number, startTime: number): string {
  const middle = Array.from({ length: 22 - 5 }, (_, i) => String(i)).join(' ');
  return `${pid} (${comm}) ${state} ${ppid} ${middle} ${startTime} 3133440 388 18446744073709551615\n`;
}

test('parseStat reads pid, comm, state, ppid and start time', () => {
  assert.deepEqual(parseStat(statLine(17490, 'cat', 'R', 17488, 102033)), { pid: 17490, comm: 'cat', state: 'R', ppid: 17488, startTime: 102033 });
});

test('parseStat takes comm up to the last parenthesis, spaces and parentheses included', () => {
  const stat = parseStat(statLine(5, 'a) S 1 (b', 'S', 1, 9));
  assert.equal(stat?.comm, 'a) S 1 (b');
  assert.equal(stat?.state, 'S');
  assert.equal(stat?.ppid, 1);
  assert.equal(stat?.startTime, 9);
});

test('parseStat refuses text that is not a stat line', () => {
  assert.equal(parseStat(''), undefined);
  assert.equal(parseStat('hello'), undefined);
  assert.equal(parseStat('x (y) R 1'), undefined);
  assert.equal(parseStat('12 (y)'), undefined);
});

test('parseCmdline splits on NUL and keeps empty arguments', () => {
  assert.deepEqual(parseCmdline(Buffer.from('/bin/prog\0-a\0\0b c\0')), ['/bin/prog', '-a', '', 'b c']);
  assert.deepEqual(parseCmdline(Buffer.from('sshd: root [priv]')), ['sshd: root [priv]']);
  assert.deepEqual(parseCmdline(Buffer.alloc(0)), []);
});

test('parseStatusUid reads the real uid', () => {
  assert.equal(parseStatusUid('Name:\tcat\nUid:\t1000\t0\t0\t0\nGid:\t0\n'), 1000);
  assert.equal(parseStatusUid('Name:\tcat\n'), undefined);
});

test('parsePasswd maps uids to names, first entry wins, comments and junk skipped', () => {
  const users = parsePasswd('# comment\nroot:x:0:0:root:/root:/bin/bash\nbad line\nalice:x:1000:1000::/home/alice:/bin/sh\ntoor:x:0:0::/:/bin/sh\n');
  assert.equal(users.get(0), 'root');
  assert.equal(users.get(1000), 'alice');
  assert.equal(users.size, 2);
});

test('describeProcess skips kernel threads and zombies', () => {
  const users = new Map([[0, 'root']]);
  assert.equal(describeProcess(statLine(2, 'kthreadd', 'S', 0, 1), '', 'Uid:\t0\t0\t0\t0\n', users), undefined);
  assert.equal(describeProcess(statLine(9, 'dead', 'Z', 1, 1), 'dead\0', 'Uid:\t0\t0\t0\t0\n', users), undefined);
});

test('describeProcess names the process after argv[0], or comm when argv[0] was rewritten', () => {
  const users = new Map([[0, 'root']]);
  const p = describeProcess(statLine(40, 'service', 'S', 1, 7), '/opt/bin/service\0--port\0a b\0', 'Uid:\t0\t0\t0\t0\n', users);
  assert.deepEqual(p, { pid: 40, ppid: 1, name: 'service', commandLine: '/opt/bin/service --port "a b"', user: 'root', startTime: 7 });
  const rewritten = describeProcess(statLine(41, 'sshd', 'S', 1, 7), 'sshd: alice [priv]\0', 'Uid:\t1000\t0\t0\t0\n', users);
  assert.equal(rewritten?.name, 'sshd');
  assert.equal(rewritten?.user, '1000', 'an unknown uid is shown as a number');
});

test('readProcesses reads a /proc tree, newest first, skipping non-pid entries and vanished processes', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trapdbg-proc-'));
  const write = (pid: string, stat: string, cmdline: string, uid: number) => {
    fs.mkdirSync(path.join(root, pid));
    fs.writeFileSync(path.join(root, pid, 'stat'), stat);
    fs.writeFileSync(path.join(root, pid, 'cmdline'), cmdline);
    fs.writeFileSync(path.join(root, pid, 'status'), `Name:\tx\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
  };
  write('100', statLine(100, 'old', 'S', 1, 50), '/usr/bin/old\0', 0);
  write('200', statLine(200, 'new', 'R', 1, 900), '/usr/bin/new\0x\0', 1000);
  write('3', statLine(3, 'kworker/0:1', 'I', 2, 1), '', 0);
  fs.mkdirSync(path.join(root, '300')); // exited between readdir and read
  fs.mkdirSync(path.join(root, 'self'));
  const passwd = path.join(root, 'passwd');
  fs.writeFileSync(passwd, 'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n');
  const list = readProcesses(root, passwd);
  assert.deepEqual(list.map((p) => [p.pid, p.name, p.user, p.commandLine]), [
    [200, 'new', 'alice', '/usr/bin/new x'],
    [100, 'old', 'root', '/usr/bin/old'],
  ]);
});

test('readProcesses on the real /proc finds a child process with its command line and parent', async () => {
  const child = spawn('sleep', ['30']);
  try {
    await new Promise((r) => setTimeout(r, 100));
    const list = readProcesses();
    const me = list.find((p) => p.pid === process.pid);
    assert.ok(me, 'the test process itself is listed');
    assert.match(me.commandLine, /procfs\.test\.js/, 'its command line names this test file');
    const sleeper = list.find((p) => p.pid === child.pid);
    assert.ok(sleeper, 'the child is listed');
    assert.equal(sleeper.name, 'sleep');
    assert.equal(sleeper.commandLine, 'sleep 30');
    assert.equal(sleeper.ppid, process.pid);
    assert.equal(sleeper.user, os.userInfo().username);
  } finally {
    child.kill();
  }
});

test('processPickRows shows name, pid and user, command line, and leaves out the given pid', () => {
  const rows = processPickRows(
    [
      { pid: 10, ppid: 1, name: 'svc', commandLine: '/srv/svc -d', user: 'root', startTime: 5 },
      { pid: 11, ppid: 1, name: 'node', commandLine: 'node ext', user: 'root', startTime: 6 },
    ],
    11,
  );
  assert.deepEqual(rows, [{ label: 'svc', description: 'pid 10 · root', detail: '/srv/svc -d', pid: '10' }]);
});
