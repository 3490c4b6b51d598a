// What the crash tests share: building fixtures with any compiler, and launching with a set of exception filters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { buildFixture, fixtureDir, tempDir, lineOf } from './fixtures.mjs';
import { startSession, firstSourceFrame, endSession } from './session.mjs';

const built = new Map();

/** Builds a fixture with any compiler: [driver, ...flags] → program path. */
export function buildWith(name, source, driver, flags) {
  const key = `${name}:${driver}:${flags.join(' ')}`;
  if (built.has(key)) return built.get(key);
  const program = path.join(tempDir, `${name}-${driver.replace(/[^a-z0-9]/gi, '')}-${built.size}-${process.pid}`);
  execFileSync(driver, [...flags, '-o', program, path.join(fixtureDir, source)], { stdio: 'inherit' });
  built.set(key, program);
  return program;
}

/** Launches with <filters> set before configurationDone; resolves with the first stopped or exited event. */
export async function launchWithFilters(dc, args, filters) {
  const stopped = dc.waitForEvent('stopped', 60000).then(e => ({ stopped: e }));
  const exited = dc.waitForEvent('exited', 60000).then(e => ({ exited: e }));
  await dc.launchRequest(args);
  await dc.send('setExceptionBreakpoints', { filters });
  await dc.configurationDoneRequest();
  return Promise.race([stopped, exited]);
}

/** Fatal-signal fixtures: each must stop with every filter off. */
export const fatal = [
  { name: 'verbose trap (SIGILL)', program: () => buildFixture('verbose_trap_multi', '-O2'), args: ['bounds'], kind: 'merged-trap' },
  { name: 'null read (SIGSEGV)', program: () => buildFixture('null_field', '-O0'), args: ['mallory'], kind: 'null-read' },
  { name: 'assert (SIGABRT)', program: () => buildFixture('assert_fail', '-O0'), args: ['100'], kind: 'assert' },
  { name: 'null call (SIGSEGV)', program: () => buildFixture('null_call', '-O2'), args: ['flush'], kind: 'null-call' },
  { name: 'stack overflow (SIGSEGV)', program: () => buildFixture('stack_overflow', '-O0'), args: ['deep'], kind: 'stack-overflow' },
  { name: 'division by a zero field (SIGFPE)', program: () => buildFixture('gcc_checks', '-O0'), args: ['div', '5', '0'], kind: 'division-by-zero' },
  { name: 'uncaught C++ exception (SIGABRT)', program: () => buildWith('cxx_uncaught', 'cxx_uncaught.cpp', 'g++', ['-g', '-O2']), args: ['runtime'], kind: 'uncaught-exception' },
  { name: 'unhandled SIGSEGV in a program that can handle one', program: () => buildFixture('handled_segv', '-O0'), args: ['crash'], kind: 'null-read' },
];

/** Registers the uncaught-exception and on-throw tests for cxx_uncaught.cpp built by <driver> with <flags>. */
export function cxxExceptionTests(label, driver, flags) {
  const cxxSource = path.join(fixtureDir, 'cxx_uncaught.cpp');

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
