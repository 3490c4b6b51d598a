// sourceMap and relative paths: a program built in one directory and debugged with its sources in another; a build
// whose compilation directory is "." resolved against relativePathBase; breakpoints set on the local files bind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './fixtures.mjs';
import { startSession, endSession } from './session.mjs';

const text = `
#include <stdio.h>
int twice(int x) {
    int doubled = x * 2;
    return doubled;
}
int main(void) {
    printf("%d\\n", twice(21));
    return 0;
}
`;
const breakLine = text.split('\n').findIndex((l) => l.includes('return doubled;')) + 1;

/** Compiles src/main.c inside a build directory with a relative path (so DW_AT_name is relative), then moves the sources away. */
function buildElsewhere(name, flags = [], source = text) {
  const root = path.join(tempDir, name);
  rmSync(root, { recursive: true, force: true });
  const build = path.join(root, 'build');
  const checkout = path.join(root, 'checkout');
  mkdirSync(path.join(build, 'src'), { recursive: true });
  writeFileSync(path.join(build, 'src/main.c'), source);
  execFileSync('clang-22', ['-g', '-O0', ...flags, 'src/main.c', '-o', 'prog'], { cwd: build });
  mkdirSync(checkout, { recursive: true });
  cpSync(path.join(build, 'src'), path.join(checkout, 'src'), { recursive: true });
  rmSync(path.join(build, 'src'), { recursive: true });
  const names = execFileSync('llvm-dwarfdump-22', ['--debug-info', path.join(build, 'prog')], { encoding: 'utf8' });
  return { program: path.join(build, 'prog'), build, checkout, local: path.join(checkout, 'src/main.c'), names };
}

async function stopAtBreakpoint(launch, local) {
  const dc = await startSession();
  const stopped = dc.waitForEvent('stopped');
  await dc.launchRequest(launch);
  const set = await dc.setBreakpointsRequest({ source: { path: local }, breakpoints: [{ line: breakLine }] });
  await dc.configurationDoneRequest();
  const stop = await stopped;
  const frames = (await dc.stackTraceRequest({ threadId: stop.body.threadId, startFrame: 0, levels: 5 })).body.stackFrames;
  return { dc, set, stop, frames };
}

for (const form of ['object', 'pairs']) {
  test(`sourceMap (${form} form) maps the build directory to the checkout: frames, breakpoints and loaded sources name local files`, async () => {
    const { program, build, checkout, local, names } = buildElsewhere(`moved-${form}`);
    assert.match(names, /DW_AT_name\s+\("src\/main\.c"\)/);
    assert.match(names, new RegExp(`DW_AT_comp_dir\\s+\\("${build}"\\)`));
    const sourceMap = form === 'object' ? { [build]: checkout } : [[build, checkout]];
    const { dc, set, stop, frames } = await stopAtBreakpoint({ program, sourceMap }, local);
    try {
      assert.equal(set.body.breakpoints[0].verified, true);
      assert.equal(set.body.breakpoints[0].source.path, local);
      assert.equal(stop.body.reason, 'breakpoint');
      assert.equal(frames[0].name, 'twice');
      assert.equal(frames[0].source.path, local);
      assert.equal(frames[0].source.presentationHint, undefined);
      assert.equal(frames[0].line, breakLine);
      assert.equal(frames[1].source.path, local);
      const sources = (await dc.send('loadedSources')).body.sources;
      assert.ok(sources.some((s) => s.path === local), JSON.stringify(sources));
      const bt = (await dc.send('evaluate', { expression: '`bt 1', context: 'repl', frameId: frames[0].id })).body.result;
      assert.match(bt, new RegExp(` at ${local}:${breakLine}$`, 'm'));
    } finally {
      await endSession(dc);
    }
  });
}

test('without sourceMap the moved sources show as missing (de-emphasized), at their build path', async () => {
  const { program, build, local } = buildElsewhere('unmapped');
  const dc = await startSession();
  try {
    const stopped = dc.waitForEvent('stopped');
    await dc.launchRequest({ program });
    await dc.send('setFunctionBreakpoints', { breakpoints: [{ name: 'twice' }] });
    await dc.configurationDoneRequest();
    const stop = await stopped;
    const frame = (await dc.stackTraceRequest({ threadId: stop.body.threadId, startFrame: 0, levels: 1 })).body.stackFrames[0];
    assert.equal(frame.source.path, path.join(build, 'src/main.c'));
    assert.equal(frame.source.presentationHint, 'deemphasize');
    assert.notEqual(frame.source.path, local);
  } finally {
    await endSession(dc);
  }
});

test('a relative compilation directory (-fdebug-compilation-dir=.) resolves against relativePathBase', async () => {
  const { program, checkout, local, names } = buildElsewhere('relative', ['-fdebug-compilation-dir=.']);
  assert.match(names, /DW_AT_comp_dir\s+\("\."\)/);
  const { dc, set, frames } = await stopAtBreakpoint({ program, relativePathBase: checkout }, local);
  try {
    assert.equal(set.body.breakpoints[0].verified, true);
    assert.equal(frames[0].source.path, local);
    assert.equal(frames[0].source.presentationHint, undefined);
  } finally {
    await endSession(dc);
  }
});

test('a crash diagnosed in a moved build names the local file in the stop description and the exception details', async () => {
  const trapping = `
static void check(int value) {
    if (value > 3) __builtin_trap();
}
int main(int argc, char **argv) {
    (void)argv;
    check(argc + 5);
    return 0;
}
`;
  const { program, build, checkout, local } = buildElsewhere('moved-trap', [], trapping);
  const dc = await startSession();
  try {
    const stopped = dc.waitForEvent('stopped');
    await dc.launchRequest({ program, sourceMap: { [build]: checkout } });
    await dc.configurationDoneRequest();
    const stop = await stopped;
    assert.equal(stop.body.reason, 'exception');
    assert.ok(stop.body.description.includes(local), stop.body.description);
    assert.ok(!stop.body.description.includes(build), stop.body.description);
    const info = (await dc.send('exceptionInfo', { threadId: stop.body.threadId })).body;
    assert.ok(info.description.includes(local), info.description);
    assert.ok(!JSON.stringify(info.details).includes(path.join(build, 'src')), JSON.stringify(info.details));
  } finally {
    await endSession(dc);
  }
});
