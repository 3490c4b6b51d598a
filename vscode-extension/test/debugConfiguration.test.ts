import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  ConfigurationError,
  defaultLaunchConfiguration,
  isEmptyConfiguration,
  parsePid,
  unknownAttributes,
  validateConfiguration,
} from '../src/config/debugConfiguration';

// A real directory with a real executable, a non-executable file and a subdirectory.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trapdbg-config-'));
const program = path.join(dir, 'prog');
fs.writeFileSync(program, '#!/bin/sh\n');
fs.chmodSync(program, 0o755);
const plainFile = path.join(dir, 'notes.txt');
fs.writeFileSync(plainFile, 'x');
fs.chmodSync(plainFile, 0o644);
const subdir = path.join(dir, 'sub');
fs.mkdirSync(subdir);

function rejects(config: Record<string, unknown>, pattern: RegExp): void {
  assert.throws(() => validateConfiguration({ type: 'trapdbg', name: 't', ...config }, undefined, dir), (e: unknown) => {
    assert.ok(e instanceof ConfigurationError, `expected ConfigurationError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.match(e.message, /\.$/, 'errors are sentences');
    return true;
  });
}

test('an empty configuration is what VS Code passes without launch.json', () => {
  assert.equal(isEmptyConfiguration({}), true);
  assert.equal(isEmptyConfiguration({ noDebug: true } as Record<string, unknown>), true);
  assert.equal(isEmptyConfiguration({ type: 'trapdbg', request: 'launch', name: 'x' }), false);
});

test('the default launch configuration launches the chosen program and validates', () => {
  const config = defaultLaunchConfiguration(program, dir);
  assert.deepEqual(config, { type: 'trapdbg', request: 'launch', name: 'Launch', program, args: [], cwd: dir });
  assert.equal(validateConfiguration(config, undefined, dir)['program'], program);
});

test('a full launch configuration passes unchanged', () => {
  const config = {
    type: 'trapdbg', request: 'launch', name: 'full', program, args: ['a b', '--x'], cwd: dir,
    env: { LANG: 'C', EMPTY: '' }, stopOnEntry: true, disableASLR: false, sourceMap: { '/build': dir },
  };
  assert.deepEqual(validateConfiguration(config, undefined, dir), config);
});

test('a relative program is resolved against cwd, else the workspace folder', () => {
  assert.equal(validateConfiguration({ type: 'trapdbg', request: 'launch', program: 'prog' }, undefined, dir)['program'], program);
  fs.copyFileSync(program, path.join(subdir, 'prog'));
  fs.chmodSync(path.join(subdir, 'prog'), 0o755);
  assert.equal(validateConfiguration({ type: 'trapdbg', request: 'launch', program: './prog', cwd: subdir }, undefined, dir)['program'], path.join(subdir, 'prog'));
});

const launchErrors: [string, Record<string, unknown>, RegExp][] = [
  ['missing program', {}, /needs "program"/],
  ['empty program', { program: '' }, /needs "program"/],
  ['program not a string', { program: 42 }, /"program" must be a path string/],
  ['program does not exist', { program: path.join(dir, 'nope') }, /does not exist/],
  ['program is a directory', { program: subdir }, /not a regular file/],
  ['program not executable', { program: plainFile }, /not executable/],
  ['args as a string', { program, args: '--verbose' }, /"args" must be an array of strings/],
  ['args with a number', { program, args: ['a', 3] }, /"args\[1\]" must be a string/],
  ['env as an array', { program, env: ['A=1'] }, /"env" must be an object/],
  ['env value not a string', { program, env: { N: 1 } }, /"env.N" must be a string \(or null to remove it\)/],
  ['env name with =', { program, env: { 'A=B': 'x' } }, /invalid variable name/],
  ['stopOnEntry not boolean', { program, stopOnEntry: 'yes' }, /"stopOnEntry" must be true or false/],
  ['disableASLR not boolean', { program, disableASLR: 1 }, /"disableASLR" must be true or false/],
  ['cwd missing', { program, cwd: path.join(dir, 'missing') }, /working directory .* does not exist/],
  ['cwd is a file', { program, cwd: plainFile }, /is not a directory/],
  ['sourceMap not an object', { program, sourceMap: 'x' }, /"sourceMap" must be an object/],
  ['sourceMap value not a string', { program, sourceMap: { '/a': 1 } }, /entry "\/a" must map to a path/],
  ['sourceMap bad pair', { program, sourceMap: [['/a']] }, /"sourceMap\[0\]" must be a pair/],
  ['terminateDebuggee not boolean', { program, terminateDebuggee: 'no' }, /"terminateDebuggee" must be true or false/],
  ['followFork unknown', { program, followFork: 'both' }, /"followFork" must be "parent" or "child", not "both"/],
  ['forkEvents unknown', { program, forkEvents: 'some' }, /"forkEvents" must be "crashes" or "all", not "some"/],
  ['detachOnFork false', { program, detachOnFork: false }, /"detachOnFork": false .* not available in a debug session yet/],
];
for (const [name, config, pattern] of launchErrors) {
  test(`launch: ${name} is refused`, () => rejects({ request: 'launch', ...config }, pattern));
}

test('fork attributes and terminateDebuggee pass through, for launch and attach', () => {
  const launch = { type: 'trapdbg', request: 'launch', program, followFork: 'child', forkEvents: 'all', detachOnFork: true, terminateDebuggee: false };
  const result = validateConfiguration(launch, undefined, dir);
  assert.deepEqual([result['followFork'], result['forkEvents'], result['detachOnFork'], result['terminateDebuggee']], ['child', 'all', true, false]);
  assert.deepEqual(unknownAttributes(launch), []);
  const attach = { type: 'trapdbg', request: 'attach', pid: 12, followFork: 'parent', forkEvents: 'crashes' };
  assert.equal(validateConfiguration(attach, undefined, dir)['followFork'], 'parent');
  assert.deepEqual(unknownAttributes(attach), []);
  rejects({ request: 'attach', pid: 12, followFork: 'sideways' }, /"followFork" must be "parent" or "child"/);
});

test('sourceMap may also be a list of pairs', () => {
  const config = { type: 'trapdbg', request: 'launch', program, sourceMap: [['/build', dir]] };
  assert.deepEqual(validateConfiguration(config, undefined, dir)['sourceMap'], [['/build', dir]]);
});

test('attach: the pid from ${command:pickProcess} (a string) becomes a number', () => {
  const result = validateConfiguration({ type: 'trapdbg', request: 'attach', pid: '4321' }, undefined, dir);
  assert.equal(result['pid'], 4321);
  assert.equal(validateConfiguration({ type: 'trapdbg', request: 'attach', pid: 77 })['pid'], 77);
});

test('attach: program with waitFor needs no pid', () => {
  const result = validateConfiguration({ type: 'trapdbg', request: 'attach', program: 'prog', waitFor: true }, undefined, dir);
  assert.equal(result['program'], program);
  assert.equal(result['pid'], undefined);
});

test('attach: an empty pid with program and waitFor waits for the program', () => {
  const result = validateConfiguration({ type: 'trapdbg', request: 'attach', pid: '', program, waitFor: true }, undefined, dir);
  assert.equal('pid' in result, false);
});

test('attach: a pid with a program (for its debug information) and stopOnEntry passes', () => {
  const result = validateConfiguration({ type: 'trapdbg', request: 'attach', pid: '12', program: 'prog', stopOnEntry: true }, undefined, dir);
  assert.deepEqual(result, { type: 'trapdbg', request: 'attach', pid: 12, program, stopOnEntry: true });
});

test('launch: a null env value (remove the variable) passes', () => {
  const config = { type: 'trapdbg', request: 'launch', program, env: { LD_PRELOAD: null } };
  assert.deepEqual(validateConfiguration(config, undefined, dir)['env'], { LD_PRELOAD: null });
});

const attachErrors: [string, Record<string, unknown>, RegExp][] = [
  ['neither pid nor program', {}, /needs "pid" .* or "program" with "waitFor": true/],
  ['program without pid or waitFor', { program }, /needs "pid" .* or "program" with "waitFor": true/],
  ['stopOnEntry not boolean', { pid: 3, stopOnEntry: 1 }, /"stopOnEntry" must be true or false/],
  ['pid not numeric', { pid: 'abc' }, /"pid" must be a positive process id/],
  ['pid zero', { pid: 0 }, /"pid" must be a positive process id/],
  ['pid negative', { pid: -5 }, /"pid" must be a positive process id/],
  ['pid fractional', { pid: 1.5 }, /"pid" must be a positive process id/],
  ['pid with waitFor', { pid: 12, waitFor: true }, /cannot be combined with "pid"/],
  ['waitFor not boolean', { program, waitFor: 'true' }, /"waitFor" must be true or false/],
  ['waitFor for a missing program', { program: path.join(dir, 'absent'), waitFor: true }, /does not exist/],
];
for (const [name, config, pattern] of attachErrors) {
  test(`attach: ${name} is refused`, () => rejects({ request: 'attach', ...config }, pattern));
}

test('an unknown request or a foreign type is refused', () => {
  rejects({ request: 'core' }, /"request" must be "launch" or "attach"/);
  assert.throws(() => validateConfiguration({ type: 'cppdbg', request: 'launch', program }), /not "trapdbg"/);
});

test('parsePid accepts surrounding blanks and refuses huge values', () => {
  assert.equal(parsePid(' 12 '), 12);
  assert.throws(() => parsePid('99999999999'), ConfigurationError);
});

test('unknown attributes are reported (typos such as "programm")', () => {
  assert.deepEqual(unknownAttributes({ type: 'trapdbg', request: 'launch', name: 'x', programm: 'a', program: 'b', preLaunchTask: 'build' }), ['programm']);
  assert.deepEqual(unknownAttributes({ type: 'trapdbg', request: 'attach', name: 'x', pid: 1, stopOnEntry: true, args: [] }), ['args']);
});

test('trapdbgServer: a port or {host, port, authToken} is normalised, and files are not checked locally', () => {
  const remote = validateConfiguration({ type: 'trapdbg', request: 'launch', program: '/srv/remote/prog', trapdbgServer: 4711 }, undefined, dir);
  assert.deepEqual(remote['trapdbgServer'], { host: '127.0.0.1', port: 4711 });
  assert.equal(remote['program'], '/srv/remote/prog');
  const attach = validateConfiguration({ type: 'trapdbg', request: 'attach', pid: '9', trapdbgServer: { port: 1, host: 'box', authToken: 'abc' } });
  assert.deepEqual(attach['trapdbgServer'], { host: 'box', port: 1, authToken: 'abc' });
});

const serverErrors: [string, unknown, RegExp][] = [
  ['a string', '4711', /must be a port number or/],
  ['port 0', { port: 0 }, /"trapdbgServer.port" must be a TCP port/],
  ['port too large', 70000, /"trapdbgServer.port" must be a TCP port/],
  ['an empty host', { port: 1, host: '' }, /"trapdbgServer.host"/],
  ['a numeric token', { port: 1, authToken: 5 }, /"trapdbgServer.authToken"/],
];
for (const [name, server, pattern] of serverErrors) {
  test(`trapdbgServer: ${name} is refused`, () => rejects({ request: 'launch', program, trapdbgServer: server }, pattern));
}

test('trapdbgServer: attribute types are still checked for a remote launch', () => {
  rejects({ request: 'launch', program: '/remote/prog', args: 'x', trapdbgServer: 4711 }, /"args" must be an array/);
});

test('program I/O, startup commands and path attributes pass when well formed', () => {
  const envFile = path.join(dir, 'vars.env');
  fs.writeFileSync(envFile, 'A=1\n');
  fs.writeFileSync(path.join(dir, 'input.txt'), 'typed\n');
  const config = {
    type: 'trapdbg', request: 'launch', name: 'io', program, cwd: dir, console: 'integratedTerminal', envFile: 'vars.env',
    stdio: ['input.txt', null, path.join(dir, 'err.log')], initCommands: ['help'], preRunCommands: ['info sharedlibrary'],
    stopCommands: ['bt 5'], commandEscapePrefix: '`', relativePathBase: dir,
  };
  assert.deepEqual(validateConfiguration(config, undefined, dir), config);
  assert.deepEqual(unknownAttributes(config), []);
  for (const stdio of ['/dev/null', { stdout: 'out.txt' }, [null, 'out.txt']])
    assert.deepEqual(validateConfiguration({ ...config, stdio }, undefined, dir)['stdio'], stdio);
  assert.equal(validateConfiguration({ ...config, console: undefined, terminal: 'external' }, undefined, dir)['terminal'], 'external');
  const attach = { type: 'trapdbg', request: 'attach', name: 'a', pid: 42, stopCommands: ['bt'], relativePathBase: dir };
  assert.deepEqual(unknownAttributes(attach), []);
  assert.deepEqual(validateConfiguration(attach, undefined, dir), attach);
});

test('program I/O, startup command and path mistakes are named', () => {
  const launch = { request: 'launch', program, cwd: dir };
  rejects({ ...launch, console: 'debugConsole' }, /^"console" must be "internalConsole", "integratedTerminal", "externalTerminal", not "debugConsole"\.$/);
  rejects({ ...launch, terminal: 'integratedTerminal' }, /^"terminal" must be "console", "integrated", "external"/);
  rejects({ ...launch, stdio: ['a', 'b', 'c', 'd'] }, /^"stdio" lists 4 paths; give at most three/);
  rejects({ ...launch, stdio: { stdout: 'x', log: 'y' } }, /^"stdio" has an unknown stream "log"/);
  rejects({ ...launch, stdio: [5] }, /^"stdio" stdin must be a file path or null, not 5\.$/);
  rejects({ ...launch, stdio: 'missing-input.txt' }, /^The stdin file ".*missing-input\.txt" given in "stdio" does not exist\.$/);
  rejects({ ...launch, envFile: 'no.env' }, /^The envFile ".*no\.env" does not exist; fix "envFile"\.$/);
  rejects({ ...launch, stopCommands: 'bt' }, /^"stopCommands" must be an array of Debug Console commands/);
  rejects({ ...launch, initCommands: [1] }, /^"initCommands" must be an array of Debug Console commands/);
  rejects({ ...launch, commandEscapePrefix: 1 }, /^"commandEscapePrefix" must be a string/);
  rejects({ request: 'attach', pid: 4, relativePathBase: 'rel' }, /^"relativePathBase" must be an absolute directory, not "rel"\.$/);
});

test('remote: a pipe or an address with a token file is kept, and program paths are the remote host\'s (not checked here)', () => {
  const launch = validateConfiguration({ type: 'trapdbg', request: 'launch', program: '/srv/on-host/prog', remote: { pipe: ['ssh', 'box', 'trapdbg', 'agent', '--stdio'] } }, undefined, dir);
  assert.deepEqual(launch['remote'], { pipe: ['ssh', 'box', 'trapdbg', 'agent', '--stdio'] });
  assert.equal(launch['program'], '/srv/on-host/prog');
  const attach = validateConfiguration({ type: 'trapdbg', request: 'attach', pid: '77', remote: { address: '127.0.0.1:4712', tokenFile: '/tmp/t', localFiles: ['/builds'] } });
  assert.deepEqual(attach['remote'], { address: '127.0.0.1:4712', tokenFile: '/tmp/t', localFiles: ['/builds'] });
  const wait = validateConfiguration({ type: 'trapdbg', request: 'attach', program: 'service', waitFor: true, remote: { address: '[::1]:9', tokenFile: 't' } });
  assert.equal(wait['program'], 'service');
  assert.deepEqual(unknownAttributes({ type: 'trapdbg', request: 'attach', name: 'x', pid: 1, remote: {} }), []);
});

const remoteErrors: [string, unknown, RegExp][] = [
  ['a string', 'ssh box', /"remote" must be \{"pipe"/],
  ['both pipe and address', { pipe: ['x'], address: 'h:1', tokenFile: 't' }, /"remote" must be \{"pipe"/],
  ['neither', { localFiles: [] }, /"remote" must be \{"pipe"/],
  ['an empty pipe', { pipe: [] }, /"remote.pipe" must be a command/],
  ['a pipe with a number', { pipe: ['ssh', 3] }, /"remote.pipe" must be a command/],
  ['an address without a port', { address: 'box', tokenFile: 't' }, /"remote.address" must be host:port/],
  ['a port too large', { address: 'box:70000', tokenFile: 't' }, /"remote.address" must be host:port/],
  ['an address without a token file', { address: 'box:1' }, /"remote.tokenFile"/],
  ['relative local files', { pipe: ['x'], localFiles: ['builds'] }, /"remote.localFiles"/],
  ['an unknown attribute', { pipe: ['x'], host: 'box' }, /unknown attribute "host"/],
];
for (const [name, remote, pattern] of remoteErrors) {
  test(`remote: ${name} is refused`, () => rejects({ request: 'attach', pid: 1, remote }, pattern));
}

test('remote: a launched program writes to the Debug Console, so a terminal or stdio files are refused', () => {
  rejects({ request: 'launch', program: '/p', remote: { pipe: ['x'] }, console: 'integratedTerminal' }, /remove "console" and "stdio"/);
  rejects({ request: 'launch', program: '/p', remote: { pipe: ['x'] }, stdio: ['/in'] }, /remove "console" and "stdio"/);
});

test('launch with coreFile: the program is optional and need not be executable, paths are resolved', () => {
  const core = path.join(dir, 'core');
  fs.writeFileSync(core, 'core bytes');
  const bare = validateConfiguration({ type: 'trapdbg', request: 'launch', name: 'c', coreFile: 'core' }, undefined, dir);
  assert.deepEqual(bare, { type: 'trapdbg', request: 'launch', name: 'c', coreFile: core });
  const withProgram = validateConfiguration({ type: 'trapdbg', request: 'launch', coreFile: core, program: 'notes.txt', sourceMap: { '/build': dir } }, undefined, dir);
  assert.equal(withProgram['program'], plainFile);
  assert.deepEqual(unknownAttributes({ type: 'trapdbg', request: 'launch', name: 'c', coreFile: core, program }), []);
});

const coreErrors: [string, Record<string, unknown>, RegExp][] = [
  ['an empty coreFile', { coreFile: '' }, /^"coreFile" must be the path of a core file\.$/],
  ['a coreFile that is a number', { coreFile: 3 }, /^"coreFile" must be the path of a core file\.$/],
  ['a missing core', { coreFile: path.join(dir, 'no-core') }, /^The core file ".*no-core" does not exist; fix "coreFile"\.$/],
  ['a core that is a directory', { coreFile: subdir }, /^The core file ".*sub" is not a regular file; fix "coreFile"\.$/],
  ['a missing program', { coreFile: plainFile, program: path.join(dir, 'gone') }, /^The program ".*gone" does not exist; fix "program", or leave it out/],
  ['a bad sourceMap', { coreFile: plainFile, sourceMap: 'x' }, /"sourceMap" must be an object/],
];
for (const [name, config, pattern] of coreErrors) {
  test(`launch with coreFile: ${name} is refused`, () => rejects({ request: 'launch', ...config }, pattern));
}
