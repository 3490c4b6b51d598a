// scripts/install as a new user runs it: a scratch HOME and prefix, code-server (when the UI tests installed it) as the
// editor. Checks that the installed trapdbg is the extension's version, explains a crash from another directory, that the
// release artifacts carry that version, that the dotnet tool installs offline from artifacts/dist, and that --uninstall
// takes it all away again.
//
//   node --test tests/install/     (scripts/test runs it; TRAPDBG_ARTIFACTS is honoured)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const artifacts = process.env.TRAPDBG_ARTIFACTS || path.join(repo, 'artifacts');
const dist = path.join(artifacts, 'dist');
const manifest = JSON.parse(readFileSync(path.join(repo, 'vscode-extension/package.json'), 'utf8'));
const version = manifest.version;
const extensionId = `${manifest.publisher}.${manifest.name}`;

const scratch = mkdtempSync(path.join(os.tmpdir(), 'trapdbg-install-'));
const prefix = path.join(scratch, 'prefix');
const home = path.join(scratch, 'home');
const installed = path.join(prefix, 'bin/trapdbg');
const realHome = os.homedir();
const uiDir = process.env.VSCODE_UI_DIR ?? path.join(realHome, '.cache/vscode-ui');
const codeServerBin = path.join(uiDir, 'node_modules/.bin');
const hasCodeServer = existsSync(path.join(codeServerBin, 'code-server')) && existsSync(path.join(uiDir, '.ready'));

// A new user's HOME; the package caches stay the machine's, so nothing is downloaded again.
const env = {
  ...process.env,
  HOME: home,
  XDG_DATA_HOME: path.join(home, '.local/share'),
  XDG_CONFIG_HOME: path.join(home, '.config'),
  NUGET_PACKAGES: process.env.NUGET_PACKAGES ?? path.join(realHome, '.nuget/packages'),
  npm_config_cache: process.env.npm_config_cache ?? path.join(realHome, '.npm'),
  DOTNET_NOLOGO: '1',
  DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1',
  DOTNET_CLI_TELEMETRY_OPTOUT: '1',
  PATH: `${hasCodeServer ? codeServerBin + ':' : ''}${process.env.PATH}`,
};

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { env, encoding: 'utf8', timeout: 45 * 60_000, ...options });
  if (result.error) throw result.error;
  return result;
}

/** The bytes of one file inside a zip archive (a .vsix), found through the central directory. */
function zipEntry(file, name) {
  const zip = readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = zip.readUInt32LE(end + 16);
  for (let n = zip.readUInt16LE(end + 10); n > 0; n--) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    if (zip.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const raw = zip.subarray(data, data + size);
      return method === 0 ? raw : inflateRawSync(raw);
    }
    at += 46 + skip;
  }
  return null;
}

let install;
before(() => {
  mkdirSync(home, { recursive: true });
  install = run(path.join(repo, 'scripts/install'), ['--prefix', prefix], { cwd: scratch });
  console.log(install.stdout + install.stderr);
});

after(() => {
  if (!process.env.KEEP_INSTALL_SCRATCH) rmSync(scratch, { recursive: true, force: true });
});

test('scripts/install puts trapdbg in PREFIX/bin and says so', () => {
  assert.equal(install.status, 0, install.stderr);
  assert.ok(statSync(installed).mode & 0o100, `${installed} is not executable`);
  assert.match(install.stdout, new RegExp(`installed trapdbg ${version.replace(/\./g, '\\.')}: ${installed}`));
  // The scratch prefix is not on PATH: the script says how to put it there.
  assert.match(install.stdout, new RegExp(`${prefix}/bin is not on PATH; add it`));
});

test('the installed trapdbg --version is the extension\'s version', () => {
  const result = run(installed, ['--version'], { cwd: scratch });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, `${version}\n`);
  const vsix = path.join(dist, `trapdbg-linux-x64-${version}.vsix`);
  const packaged = JSON.parse(zipEntry(vsix, 'extension/package.json').toString('utf8'));
  assert.equal(packaged.version, version);
  assert.ok(zipEntry(vsix, 'extension/bin/linux-x64/trapdbg')?.equals(readFileSync(installed)), 'the .vsix bundles the installed binary');
});

test('the extension is installed into code-server, with the same trapdbg', { skip: !hasCodeServer && 'code-server is not installed (vscode-extension/test-ui/setup.sh installs it)' }, () => {
  assert.match(install.stdout, /installed the VS Code extension .* into: .*code-server/);
  const list = run('code-server', ['--list-extensions', '--show-versions']);
  assert.ok(list.stdout.split('\n').includes(`${extensionId}@${version}`), list.stdout);
  const extensions = path.join(home, '.local/share/code-server/extensions');
  const folder = readdirSync(extensions).find((d) => d.startsWith(`${extensionId}-${version}`));
  assert.ok(folder, `no ${extensionId}-${version}* in ${extensions}`);
  const bundled = run(path.join(extensions, folder, 'bin/linux-x64/trapdbg'), ['--version']);
  assert.equal(bundled.stdout, `${version}\n`);
});

test('trapdbg run explains a crash from another directory', () => {
  const work = path.join(scratch, 'elsewhere');
  mkdirSync(work, { recursive: true });
  execFileSync('clang-22', ['-g', '-O2', '-o', path.join(work, 'transfer'), path.join(repo, 'tests/fixtures/verbose_trap_multi.c')]);
  const result = run(installed, ['run', '--', './transfer', 'bounds'], { cwd: work });
  assert.equal(result.status, 128 + 4, result.stderr); // SIGILL
  assert.match(result.stdout, /Bounds check: destination slot out of range/);
  assert.match(result.stdout, /verbose_trap_multi\.c:\d+/);
});

test('the release archive holds the binary and the README, with the version in its name', () => {
  const archive = path.join(dist, `trapdbg-${version}-linux-x64.tar.gz`);
  const names = run('tar', ['-tzf', archive]).stdout.split('\n').filter(Boolean);
  for (const name of ['trapdbg', 'README.md']) assert.ok(names.includes(`trapdbg-${version}-linux-x64/${name}`), names.join(', '));
  const unpacked = path.join(scratch, 'unpacked');
  mkdirSync(unpacked);
  run('tar', ['-xzf', archive, '-C', unpacked]);
  assert.equal(run(path.join(unpacked, `trapdbg-${version}-linux-x64/trapdbg`), ['--version']).stdout, `${version}\n`);
});

test('dotnet tool install -g trapdbg installs the Native AOT binary offline from artifacts/dist', () => {
  // No network: every source but artifacts/dist is unreachable through a proxy that refuses connections. The scratch HOME
  // already holds NuGet's cached index of nuget.org (scripts/install restored packages), the state in which
  // --ignore-failed-sources no longer helps; the nuget.config scripts/dist writes makes the folder the only source.
  // A scratch package cache, so that no earlier build of the same version is reused.
  const dead = 'http://127.0.0.1:9';
  const offline = { ...env, http_proxy: dead, https_proxy: dead, HTTP_PROXY: dead, HTTPS_PROXY: dead, NUGET_PACKAGES: path.join(scratch, 'nuget') };
  const result = run('dotnet', ['tool', 'install', '-g', 'trapdbg', '--configfile', path.join(dist, 'nuget.config')], { env: offline, cwd: scratch });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  const tool = path.join(home, '.dotnet/tools/trapdbg');
  const versionResult = run(tool, ['--version'], { env: offline });
  assert.equal(versionResult.stdout, `${version}\n`, versionResult.stderr);
  // What runs is the Native AOT executable itself: an ELF that does not load the .NET host.
  const real = run('readlink', ['-f', tool]).stdout.trim();
  const needed = run('readelf', ['-d', real]).stdout;
  assert.doesNotMatch(needed, /libhostfxr|libhostpolicy/, needed);
  assert.ok(readFileSync(real).equals(readFileSync(path.join(artifacts, 'publish/TrapDebugger.Cli/release_linux-x64/trapdbg'))), `${real} is not the Native AOT build`);
});

test('scripts/install --uninstall removes trapdbg and the extension', () => {
  const result = run(path.join(repo, 'scripts/install'), ['--uninstall', '--prefix', prefix], { cwd: scratch });
  assert.equal(result.status, 0, result.stderr);
  assert.ok(!existsSync(installed), `${installed} is still there`);
  assert.match(result.stdout, new RegExp(`removed ${installed}`));
  if (hasCodeServer) {
    const list = run('code-server', ['--list-extensions']);
    assert.ok(!list.stdout.split('\n').includes(extensionId), list.stdout);
  }
});
