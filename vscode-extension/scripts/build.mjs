// Bundles the extension (out/extension.js) and, with --tests, each unit test (out/test/*.test.js).
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning' };

await build({
  ...common,
  entryPoints: [join(root, 'src/extension.ts')],
  outfile: join(root, 'out/extension.js'),
  external: ['vscode'],
  minify: process.argv.includes('--production'),
  sourcemap: !process.argv.includes('--production'),
});

if (process.argv.includes('--tests')) {
  const testDir = join(root, 'test');
  rmSync(join(root, 'out/test'), { recursive: true, force: true });
  const entries = readdirSync(testDir).filter((f) => f.endsWith('.test.ts')).map((f) => join(testDir, f));
  // No `vscode` here: tests only import the pure modules, so a stray import fails the build.
  await build({ ...common, entryPoints: entries, outdir: join(root, 'out/test') });
}
