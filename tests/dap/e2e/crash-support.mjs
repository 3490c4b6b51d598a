// What the crash tests share: building fixtures with any compiler, and launching with a set of exception filters.
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { buildFixture, fixtureDir, tempDir } from './fixtures.mjs';

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
