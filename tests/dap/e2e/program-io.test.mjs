// The program's standard streams: the Debug Console through a pseudo-terminal (streamed while the program runs, the
// last lines before a crash sent before the stop), a terminal the client opens with runInTerminal (answered here by
// running the command under `script`, which gives it a real terminal), stdio redirection to files, and envFile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { buildSource, tempDir } from './fixtures.mjs';
import { startSession, endSession, rawRequest } from './session.mjs';

// Prints to stdout and stderr, reports whether its streams are terminals, reads a line when asked, then crashes.
const { program: talker } = buildSource('talker', `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
    printf("first line on stdout\\n");
    fprintf(stderr, "a warning on stderr\\n");
    printf("tty: in=%d out=%d err=%d\\n", isatty(0), isatty(1), isatty(2));
    if (argc > 1 && strcmp(argv[1], "read") == 0) {
        char line[128] = "";
        if (fgets(line, sizeof line, stdin)) printf("read: %s", line);
    }
    if (argc > 1 && strcmp(argv[1], "slow") == 0) {
        printf("before the pause\\n");
        sleep(2);
    }
    printf("last words before the crash\\n");
    volatile int *nowhere = 0;
    return *nowhere;
}
`);

test('Debug Console: output streams while the program runs, stdout and stderr apart, and the last line comes before the crash', async () => {
  const dc = await startSession();
  try {
    const events = [];
    dc.on('output', (e) => events.push({ at: Date.now(), category: e.body.category, text: e.body.output }));
    let outputAtStop = '';
    const stopped = new Promise((resolve) => dc.once('stopped', (e) => {
      outputAtStop = events.filter((o) => o.category === 'stdout').map((o) => o.text).join('');
      resolve({ at: Date.now(), event: e });
    }));
    await dc.launchRequest({ program: talker, args: ['slow'] });
    await dc.configurationDoneRequest();
    const stop = await stopped;
    assert.equal(stop.event.body.reason, 'exception');
    // Everything the program printed before the crash is there when the stop is reported.
    assert.equal(outputAtStop, 'first line on stdout\ntty: in=0 out=1 err=1\nbefore the pause\nlast words before the crash\n');
    assert.deepEqual(events.filter((o) => o.category === 'stderr').map((o) => o.text).join(''), 'a warning on stderr\n');
    // Streamed, not collected at the end: the line before the two-second pause arrived well before the stop.
    const beforePause = events.find((o) => o.text.includes('before the pause'));
    assert.ok(stop.at - beforePause.at > 1000, `"before the pause" came ${stop.at - beforePause.at} ms before the stop`);
  } finally {
    await endSession(dc);
  }
});

/** Answers runInTerminal by running the command under `script`, a real terminal whose screen is `screen.text`. */
function terminalClient() {
  const terminal = { requests: [], text: '', child: undefined, closed: undefined };
  terminal.runInTerminal = async (args) => {
    terminal.requests.push(args);
    const quoted = args.args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
    const child = spawn('script', ['-qfec', quoted, '/dev/null'], { cwd: args.cwd, stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => { terminal.text += d.toString(); });
    terminal.closed = new Promise((resolve) => child.on('exit', resolve));
    terminal.child = child;
    return { processId: child.pid };
  };
  return terminal;
}

async function waitFor(condition, what, ms = 20000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('runInTerminal: the client opens a terminal, the program uses it for all three streams, reads what is typed there, and the terminal is given back at the end', async () => {
  const terminal = terminalClient();
  const dc = await startSession({ reverseRequests: { runInTerminal: terminal.runInTerminal } });
  try {
    const stopped = dc.waitForEvent('stopped');
    await dc.launchRequest({ program: talker, args: ['read'], cwd: tempDir, console: 'integratedTerminal' });
    await dc.configurationDoneRequest();
    assert.equal(terminal.requests.length, 1);
    assert.equal(terminal.requests[0].kind, 'integrated');
    assert.equal(terminal.requests[0].cwd, tempDir);
    await waitFor(() => terminal.text.includes('tty: in=1 out=1 err=1'), 'the program to report its terminal');
    terminal.child.stdin.write('typed in the terminal\n');
    const stop = await stopped;
    assert.equal(stop.body.reason, 'exception');
    await waitFor(() => terminal.text.includes('last words before the crash'), 'the last line in the terminal');
    assert.match(terminal.text, /first line on stdout/);
    assert.match(terminal.text, /a warning on stderr/);
    assert.match(terminal.text, /read: typed in the terminal/);
    // None of it went to the Debug Console.
    assert.doesNotMatch(dc.outputText, /first line on stdout|last words/);
  } finally {
    await endSession(dc);
  }
  // The shell in the terminal ends with the session, so the terminal is the user's again.
  const code = await Promise.race([terminal.closed, new Promise((r) => setTimeout(() => r('still running'), 10000))]);
  assert.notEqual(code, 'still running');
});

test('CodeLLDB\'s "terminal": "external" asks for an external terminal', async () => {
  const terminal = terminalClient();
  const dc = await startSession({ reverseRequests: { runInTerminal: terminal.runInTerminal } });
  try {
    const stopped = dc.waitForEvent('stopped');
    await dc.launchRequest({ program: talker, terminal: 'external' });
    await dc.configurationDoneRequest();
    await stopped;
    assert.equal(terminal.requests[0].kind, 'external');
    await waitFor(() => terminal.text.includes('last words before the crash'), 'the program output in the terminal');
  } finally {
    await endSession(dc);
  }
});

test('runInTerminal refused by the client fails the launch in one sentence', async () => {
  const dc = await startSession({ reverseRequests: { runInTerminal: async () => { throw new Error('no terminal today'); } } });
  try {
    const response = await rawRequest(dc, 'launch', { program: talker, console: 'integratedTerminal' });
    assert.equal(response.success, false);
    assert.match(response.message, /^launch: the client could not open a terminal for the program \(no terminal today\); use "console": "internalConsole" instead\.$/);
    assert.equal(response.body.error.showUser, true);
  } finally {
    await endSession(dc);
  }
});

test('a client without runInTerminal gets the output in the Debug Console instead', async () => {
  const dc = await startSession();
  try {
    const stopped = dc.waitForEvent('stopped');
    await dc.launchRequest({ program: talker, console: 'integratedTerminal' });
    await dc.configurationDoneRequest();
    await stopped;
    assert.match(dc.outputText, /cannot open a terminal/);
    assert.match(dc.outputText, /last words before the crash/);
  } finally {
    await endSession(dc);
  }
});

test('stdio sends stdin, stdout and stderr to files (null keeps the console); envFile and env set the environment', async () => {
  const { program } = buildSource('stdio_env', `
#include <stdio.h>
#include <stdlib.h>
int main(void) {
    char line[128] = "";
    if (fgets(line, sizeof line, stdin)) printf("stdin said: %s", line);
    printf("FROM_FILE=%s QUOTED=[%s] OVERRIDDEN=%s\\n", getenv("FROM_FILE"), getenv("QUOTED"), getenv("OVERRIDDEN"));
    fprintf(stderr, "stderr stays in the console\\n");
    return 0;
}
`);
  const input = path.join(tempDir, 'stdin.txt');
  const output = path.join(tempDir, 'stdout.txt');
  const envFile = path.join(tempDir, 'vars.env');
  writeFileSync(input, 'hello from a file\n');
  writeFileSync(envFile, '# settings\nFROM_FILE=file value\nexport QUOTED="two\\tparts" # comment\nOVERRIDDEN=from the file\n');
  const dc = await startSession();
  try {
    const exited = dc.waitForEvent('exited');
    await dc.launchRequest({ program, cwd: tempDir, stdio: ['stdin.txt', output, null], envFile: 'vars.env', env: { OVERRIDDEN: 'by env' } });
    await dc.configurationDoneRequest();
    assert.equal((await exited).body.exitCode, 0);
    assert.equal(readFileSync(output, 'utf8'), 'stdin said: hello from a file\nFROM_FILE=file value QUOTED=[two\tparts] OVERRIDDEN=by env\n');
    assert.match(dc.outputText, /stderr stays in the console/);
    assert.match(dc.outputText, /the program's stdin: .*stdin\.txt/);
    assert.doesNotMatch(dc.outputText, /stdin said/);
  } finally {
    await endSession(dc);
  }
});

test('a malformed envFile or a missing stdin file fails the launch, naming the file and line', async () => {
  const envFile = path.join(tempDir, 'broken.env');
  writeFileSync(envFile, 'GOOD=1\nthis line has no equals sign\n');
  const dc = await startSession();
  try {
    let response = await rawRequest(dc, 'launch', { program: talker, envFile });
    assert.equal(response.success, false);
    assert.equal(response.message, `launch: envFile '${envFile}' line 2: expected NAME=value, not 'this line has no equals sign'.`);
    response = await rawRequest(dc, 'launch', { program: talker, stdio: { stdin: path.join(tempDir, 'absent.txt') } });
    assert.equal(response.success, false);
    assert.equal(response.message, `launch: the stdin file '${path.join(tempDir, 'absent.txt')}' given in 'stdio' does not exist.`);
    assert.ok(!existsSync(path.join(tempDir, 'absent.txt')));
  } finally {
    await endSession(dc);
  }
});
