// Builds the extension and packages it as a .vsix in out/. When the AOT-compiled trapdbg for
// linux-x64 exists (env TRAPDBG_AOT, else the repository's publish folder), it goes into
// bin/linux-x64/ and the package is targeted at linux-x64; otherwise, or with --no-binary, the
// package carries no binary and finds trapdbg through the trapdbg.adapterPath setting or PATH.
// scripts/dist at the repository root makes the release .vsix with this script.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const candidates = [
  process.env.TRAPDBG_AOT,
  process.env.TRAPDBG_ARTIFACTS && join(process.env.TRAPDBG_ARTIFACTS, 'publish/TrapDebugger.Cli/release_linux-x64/trapdbg'),
  join(root, '../artifacts/publish/TrapDebugger.Cli/release_linux-x64/trapdbg'),
].filter(Boolean);
if (process.env.TRAPDBG_AOT && !existsSync(process.env.TRAPDBG_AOT)) {
  console.error(`TRAPDBG_AOT names ${process.env.TRAPDBG_AOT}, which does not exist.`);
  process.exit(1);
}
const binary = process.argv.includes('--no-binary') ? undefined : candidates.find((p) => existsSync(p) && statSync(p).isFile());

execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--production'], { stdio: 'inherit' });

rmSync(join(root, 'bin'), { recursive: true, force: true });
// npm installs the workspace's tools either beside this package or, hoisted, at the repository root.
const vsce = [join(root, 'node_modules/.bin/vsce'), join(root, '../node_modules/.bin/vsce')].find((p) => existsSync(p));
if (!vsce) {
  console.error('vsce is not installed; run `npm install` in the repository root or in vscode-extension/.');
  process.exit(1);
}
const args = ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license'];
let out;
if (binary) {
  const target = join(root, 'bin/linux-x64/trapdbg');
  mkdirSync(join(root, 'bin/linux-x64'), { recursive: true });
  copyFileSync(binary, target);
  chmodSync(target, 0o755);
  out = join(root, `out/trapdbg-linux-x64-${manifest.version}.vsix`);
  args.push('--target', 'linux-x64');
  console.log(`Bundling ${binary}`);
} else {
  out = join(root, `out/trapdbg-${manifest.version}.vsix`);
  console.warn(process.argv.includes('--no-binary')
    ? 'Packaging without a bundled adapter (--no-binary).'
    : 'No AOT trapdbg found (set TRAPDBG_AOT, or run `./trapdbg --version` at the repository root, which builds it); packaging without a bundled adapter.');
}
mkdirSync(join(root, 'out'), { recursive: true });
execFileSync(vsce, [...args, '--out', out], { cwd: root, stdio: 'inherit' });
console.log(out);
