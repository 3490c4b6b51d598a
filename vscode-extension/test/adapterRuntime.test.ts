import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { AdapterNotFoundError, bundledAdapterPath, expandSettingPath, locateAdapter, repairBundledPermissions } from '../src/adapter/adapterLocation';
import { DapTrafficLog } from '../src/adapter/dapTrafficLog';
import { BinaryTrapSitesError, listBinaryTrapSites, parseTrapsOutput } from '../src/traps/binaryTrapSites';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trapdbg-adapter-'));
const extension = path.join(root, 'ext');
const bundled = bundledAdapterPath(extension, 'linux', 'x64');
fs.mkdirSync(path.dirname(bundled), { recursive: true });
fs.writeFileSync(bundled, '#!/bin/sh\n');
fs.chmodSync(bundled, 0o755);
const custom = path.join(root, 'custom', 'trapdbg');
fs.mkdirSync(path.dirname(custom));
fs.copyFileSync(bundled, custom);
fs.chmodSync(custom, 0o755);
const onPath = path.join(root, 'pathdir');
fs.mkdirSync(onPath);
fs.copyFileSync(bundled, path.join(onPath, 'trapdbg'));
fs.chmodSync(path.join(onPath, 'trapdbg'), 0o755);

test('the bundled binary lives under bin/<platform>-<arch>', () => {
  assert.equal(bundledAdapterPath('/e', 'linux', 'x64'), '/e/bin/linux-x64/trapdbg');
});

test('trapdbg.adapterPath wins over the bundled binary, relative to the workspace folder', () => {
  assert.deepEqual(locateAdapter({ setting: 'custom/trapdbg', extensionPath: extension, platform: 'linux', arch: 'x64', workspaceFolder: root }), { path: custom, origin: 'setting' });
  assert.deepEqual(locateAdapter({ setting: '${workspaceFolder}/custom/trapdbg', extensionPath: extension, platform: 'linux', arch: 'x64', workspaceFolder: root }), { path: custom, origin: 'setting' });
});

test('a wrong trapdbg.adapterPath is an error, not a silent fallback', () => {
  assert.throws(() => locateAdapter({ setting: '/nonexistent/trapdbg', extensionPath: extension, platform: 'linux', arch: 'x64' }), (e: unknown) => e instanceof AdapterNotFoundError && /trapdbg.adapterPath names "\/nonexistent\/trapdbg"/.test(e.message));
});

test('without a setting the bundled binary is used, then PATH', () => {
  assert.deepEqual(locateAdapter({ setting: '', extensionPath: extension, platform: 'linux', arch: 'x64', searchPath: onPath }), { path: bundled, origin: 'bundled' });
  assert.deepEqual(locateAdapter({ setting: ' ', extensionPath: extension, platform: 'linux', arch: 'arm64', searchPath: `/nonexistent${path.delimiter}${onPath}` }), { path: path.join(onPath, 'trapdbg'), origin: 'path' });
});

test('no binary anywhere is an error that names the setting', () => {
  assert.throws(() => locateAdapter({ setting: '', extensionPath: extension, platform: 'linux', arch: 'arm64', searchPath: '/nonexistent' }), (e: unknown) => e instanceof AdapterNotFoundError && /none for linux-arm64 .* set trapdbg.adapterPath/.test(e.message));
});

test('a "~" setting expands to the home directory', () => {
  assert.equal(expandSettingPath('~/bin/trapdbg', undefined), path.join(os.homedir(), 'bin/trapdbg'));
});

test('a bundled binary unpacked without its execute bit is repaired', () => {
  const ext = path.join(root, 'ext-noexec');
  const file = bundledAdapterPath(ext, 'linux', 'x64');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '#!/bin/sh\n');
  fs.chmodSync(file, 0o644);
  assert.throws(() => locateAdapter({ setting: '', extensionPath: ext, platform: 'linux', arch: 'x64' }), AdapterNotFoundError);
  repairBundledPermissions(ext, 'linux', 'x64');
  assert.equal(locateAdapter({ setting: '', extensionPath: ext, platform: 'linux', arch: 'x64' }).origin, 'bundled');
  repairBundledPermissions(path.join(root, 'none'), 'linux', 'x64'); // nothing bundled: no error
});

test('the DAP log writes one JSON line per message, in order, and ignores records after close', () => {
  const file = path.join(root, 'logs', 'nested', 'dap.jsonl');
  const log = new DapTrafficLog(file, 'session-1', () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5)));
  log.record('toAdapter', { seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'trapdbg' } });
  log.record('fromAdapter', { seq: 1, type: 'event', event: 'output', body: { output: 'line\nbreak "quoted"' } });
  log.close();
  log.record('toAdapter', { seq: 2 });
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  assert.equal(lines.pop(), '');
  assert.equal(lines.length, 2);
  const [first, second] = lines.map((l) => JSON.parse(l));
  assert.deepEqual(first, { time: '2026-01-02T03:04:05.000Z', direction: 'toAdapter', session: 'session-1', message: { seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'trapdbg' } } });
  assert.equal(second.message.body.output, 'line\nbreak "quoted"');
  // A second session appends to the same file.
  const again = new DapTrafficLog(file, 'session-2');
  again.record('fromAdapter', { seq: 9 });
  again.close();
  assert.equal(fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').length, 3);
});

test('trapdbg traps output: JSON sites are read, anything else is a clear error', () => {
  assert.deepEqual(parseTrapsOutput('{"sites": []}', '/bin/x'), []);
  assert.throws(() => parseTrapsOutput('Error: not an ELF file', '/bin/x'), (e: unknown) => e instanceof BinaryTrapSitesError && /printed no JSON for \/bin\/x: Error: not an ELF file/.test(e.message));
  assert.throws(() => parseTrapsOutput('', '/bin/x'), /\(empty output\)/);
  assert.throws(() => parseTrapsOutput('{"sites": 1}', '/bin/x'), /unexpected JSON for \/bin\/x: .*"sites" must be an array/);
});

test('listBinaryTrapSites runs "<adapter> traps <file> --json" and reports its failure with stderr', async () => {
  // A stand-in executable that records its arguments, to check the command line the extension builds.
  const recorder = path.join(root, 'recorder');
  fs.writeFileSync(recorder, `#!/bin/sh\nprintf '%s\\n' "$@" > "${root}/argv"\nif [ "$1" = traps ] && [ -f "$2" ]; then echo '{"sites":[]}'; else echo "cannot read $2" >&2; exit 3; fi\n`);
  fs.chmodSync(recorder, 0o755);
  assert.deepEqual(await listBinaryTrapSites(recorder, recorder), []);
  assert.deepEqual(fs.readFileSync(path.join(root, 'argv'), 'utf8').trim().split('\n'), ['traps', recorder, '--json']);
  await assert.rejects(listBinaryTrapSites(recorder, '/nonexistent/bin'), (e: unknown) => e instanceof BinaryTrapSitesError && /trapdbg traps failed for \/nonexistent\/bin: cannot read \/nonexistent\/bin/.test(e.message));
  await assert.rejects(listBinaryTrapSites(path.join(root, 'no-such-adapter'), recorder), BinaryTrapSitesError);
});
