// A crash always stops, whatever the exception filters say; the filters govern only the optional stops (signals the
// program handles, signals sent by others, Rust panics, C++ throws). Rust panics and uncaught C++ exceptions are named
// from the process and land on the user's line; a call through a weak undefined function names the symbol.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { buildFixture, fixtureDir, tempDir, lineOf } from './fixtures.mjs';
import { startSession, firstSourceFrame, endSession } from './session.mjs';

const built = new Map();

/** Builds a fixture with any compiler: [driver, ...flags] → program path. */
function buildWith(name, source, driver, flags) {
  const key = `${name}:${driver}:${flags.join(' ')}`;
  if (built.has(key)) return built.get(key);
  const program = path.join(tempDir, `${name}-${built.size}`);
  execFileSync(driver, [...flags, '-o', program, path.join(fixtureDir, source)], { stdio: 'inherit' });
  built.set(key, program);
  return program;
}

/** Launches with <filters> set before configurationDone; resolves with the first stopped or exited event. */
async function launchWithFilters(dc, args, filters) {
  const stopped = dc.waitForEvent('stopped', 60000).then(e => ({ stopped: e }));
  const exited = dc.waitForEvent('exited', 60000).then(e => ({ exited: e }));
  await dc.launchRequest(args);
  await dc.send('setExceptionBreakpoints', { filters });
  await dc.configurationDoneRequest();
  return Promise.race([stopped, exited]);
}

test('the filter list is short, each filter says what it does, and only panics and sent signals are on by default', async () => {
  const dc = await startSession();
  try {
    const filters = dc.capabilities.exceptionBreakpointFilters;
    assert.ok(filters.length <= 5, JSON.stringify(filters));
    assert.ok(filters.every(f => f.description && f.description.length > 20), JSON.stringify(filters));
    assert.deepEqual(filters.filter(f => f.default).map(f => f.filter).sort(), ['rustPanic', 'sentSignals']);
  } finally {
    await endSession(dc);
  }
});

const fatal = [
  { name: 'verbose trap (SIGILL)', program: () => buildFixture('verbose_trap_multi', '-O2'), args: ['bounds'], kind: 'merged-trap' },
  { name: 'null read (SIGSEGV)', program: () => buildFixture('null_field', '-O0'), args: ['mallory'], kind: 'null-read' },
  { name: 'assert (SIGABRT)', program: () => buildFixture('assert_fail', '-O0'), args: ['100'], kind: 'assert' },
  { name: 'null call (SIGSEGV)', program: () => buildFixture('null_call', '-O2'), args: ['flush'], kind: 'null-call' },
  { name: 'stack overflow (SIGSEGV)', program: () => buildFixture('stack_overflow', '-O0'), args: ['deep'], kind: 'stack-overflow' },
  { name: 'division by a zero field (SIGFPE)', program: () => buildFixture('gcc_checks', '-O0'), args: ['div', '5', '0'], kind: 'division-by-zero' },
  { name: 'uncaught C++ exception (SIGABRT)', program: () => buildWith('cxx_uncaught', 'cxx_uncaught.cpp', 'g++', ['-g', '-O2']), args: ['runtime'], kind: 'uncaught-exception' },
  { name: 'unhandled SIGSEGV in a program that can handle one', program: () => buildFixture('handled_segv', '-O0'), args: ['crash'], kind: 'null-read' },
];

for (const crash of fatal) {
  test(`with filters: [] a crash still stops: ${crash.name}`, async () => {
    const program = crash.program();
    const dc = await startSession();
    try {
      const end = await launchWithFilters(dc, { program, args: crash.args }, []);
      assert.ok(end.stopped, `the program ended without a stop: ${JSON.stringify(end.exited?.body)}`);
      assert.equal(end.stopped.body.reason, 'exception');
      const info = await dc.send('exceptionInfo', { threadId: end.stopped.body.threadId });
      assert.equal(info.body.exceptionId, crash.kind);
    } finally {
      await endSession(dc);
    }
  });
}

test('a SIGSEGV the program handles is passed to it unless its filter is on', async () => {
  const program = buildFixture('handled_segv', '-O0');
  let dc = await startSession();
  try {
    const end = await launchWithFilters(dc, { program, args: ['probe'] }, []);
    assert.ok(end.exited, 'no stop for a handled fault');
    assert.equal(end.exited.body.exitCode, 0);
    await new Promise(r => setTimeout(r, 200));
    assert.match(dc.outputText, /recovered/);
  } finally {
    await endSession(dc);
  }
  dc = await startSession();
  try {
    const end = await launchWithFilters(dc, { program, args: ['probe'] }, ['handledSignals']);
    assert.ok(end.stopped, 'the handled-signals filter stops before the handler runs');
    assert.match(end.stopped.body.description, /null|0x0/i);
  } finally {
    await endSession(dc);
  }
});

const rustSource = path.join(fixtureDir, 'rust_abort.rs');

for (const [label, flags] of [['debug, unwind', ['-g']], ['release, panic=abort, v0', ['-g', '-C', 'opt-level=2', '-C', 'panic=abort', '-C', 'symbol-mangling-version=v0']]]) {
  test(`Rust panic (${label}) stops with the runtime's message on the user's line`, async () => {
    const program = buildWith('rust_abort', 'rust_abort.rs', 'rustc', flags);
    const dc = await startSession();
    try {
      const end = await launchWithFilters(dc, { program, args: ['index', '9'] }, ['rustPanic']);
      assert.ok(end.stopped, 'a panic is a stop');
      assert.equal(end.stopped.body.description, 'Rust panic: index out of bounds: the len is 4 but the index is 9');
      const info = await dc.send('exceptionInfo', { threadId: end.stopped.body.threadId });
      assert.equal(info.body.exceptionId, 'rust-panic');
      const { frame } = await firstSourceFrame(dc, end.stopped.body.threadId);
      assert.equal(frame.source.path, rustSource);
      assert.equal(frame.line, lineOf(rustSource, '&jobs[index]'));
    } finally {
      await endSession(dc);
    }
  });
}

const cxxSource = path.join(fixtureDir, 'cxx_uncaught.cpp');

for (const [label, driver, flags] of [
  ['libstdc++, g++ -O2', 'g++', ['-g', '-O2']],
  ['libc++, clang++ -O0', 'clang++-22', ['-g', '-O0', '-stdlib=libc++', '-Wl,-rpath,/usr/lib/llvm-22/lib']],
]) {
  test(`uncaught C++ exception (${label}) names the type and what() and lands on the throw`, async () => {
    const program = buildWith('cxx_uncaught', 'cxx_uncaught.cpp', driver, flags);
    const dc = await startSession();
    try {
      const end = await launchWithFilters(dc, { program, args: ['custom'] }, []);
      assert.ok(end.stopped);
      assert.equal(end.stopped.body.description, 'Uncaught C++ exception book_error: order 17 has quantity -3');
      const { frame } = await firstSourceFrame(dc, end.stopped.body.threadId);
      assert.equal(frame.line, lineOf(cxxSource, 'throw book_error('));
    } finally {
      await endSession(dc);
    }
  });

  test(`the C++ on-throw filter (${label}) stops at the throw with the same information`, async () => {
    const program = buildWith('cxx_uncaught', 'cxx_uncaught.cpp', driver, flags);
    const dc = await startSession();
    try {
      const end = await launchWithFilters(dc, { program, args: ['runtime'] }, ['cppThrow']);
      assert.ok(end.stopped);
      assert.equal(end.stopped.body.description, 'C++ exception thrown std::runtime_error: order book is empty');
      const { frame } = await firstSourceFrame(dc, end.stopped.body.threadId);
      assert.equal(frame.line, lineOf(cxxSource, 'throw std::runtime_error("order book is empty");'));
    } finally {
      await endSession(dc);
    }
  });
}

test('a call through a weak undefined function names the symbol and lands on the call', async () => {
  const program = buildFixture('null_call', '-O0');
  const source = path.join(fixtureDir, 'null_call.c');
  const dc = await startSession();
  try {
    const end = await launchWithFilters(dc, { program, args: ['hook'] }, []);
    assert.ok(end.stopped);
    assert.match(end.stopped.body.description, /weak symbol `hook` is not defined in any loaded module/);
    const { frame } = await firstSourceFrame(dc, end.stopped.body.threadId);
    assert.equal(frame.line, lineOf(source, 'int r = hook(level);'));
  } finally {
    await endSession(dc);
  }
});
