// Rust and C++ standard library values through DAP, side by side with lldb-dap-22 (with the Rust toolchain's lldb
// formatters, as rust-lldb and CodeLLDB load them) on the same programs; stack frame names with parameters; and
// function calls, assignment and a crashing call from the Debug Console.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { buildWith, fixtureDir, lineOf } from './fixtures.mjs';
import { startSession, endSession } from './session.mjs';

const rustSource = path.join(fixtureDir, 'rust_values.rs');
const cxxSource = path.join(fixtureDir, 'cxx_values.cpp');
const callsSource = path.join(fixtureDir, 'calls.c');
const rustFormatters = (() => {
  const etc = path.join(execFileSync('rustc', ['--print', 'sysroot']).toString().trim(), 'lib/rustlib/etc');
  return [`command script import ${path.join(etc, 'lldb_lookup.py')}`, `command source -s 1 ${path.join(etc, 'lldb_commands')}`];
})();

async function startLldbDap() {
  const dc = new DebugClient('env', '/usr/bin/lldb-dap-22', 'lldb-dap');
  dc.defaultTimeout = 60000;
  await dc.start();
  const initialized = dc.waitForEvent('initialized');
  await dc.initializeRequest({ adapterID: 'lldb-dap', clientID: 'e2e', linesStartAt1: true, columnsStartAt1: true, supportsVariablePaging: true });
  return { dc, initialized };
}

/** Launches <program> under <dc>, stops at <line> of <source>, and returns the stopped thread and its top frame. */
async function stopAt(dc, program, args, source, line, extra = {}, initialized = null) {
  const stopped = dc.waitForEvent('stopped');
  const launched = dc.launchRequest({ program, args, ...extra });
  await (initialized ?? Promise.resolve());
  const set = await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line }] });
  assert.equal(set.body.breakpoints[0].verified, true);
  await dc.configurationDoneRequest();
  await launched;
  const { body } = await stopped;
  const trace = await dc.stackTraceRequest({ threadId: body.threadId, startFrame: 0, levels: 5 });
  return { threadId: body.threadId, frame: trace.body.stackFrames[0] };
}

async function locals(dc, frameId) {
  const scopes = await dc.scopesRequest({ frameId });
  const rows = (await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference })).body.variables;
  return Object.fromEntries(rows.map(v => [v.name, v]));
}

/** lldb-dap's values of <names>, each evaluated alone: its whole locals request does not return while the Rust
 * formatters read a Result whose niche lies at or above 2^63 (they loop). */
async function watched(dc, frameId, names) {
  const rows = {};
  for (const name of names) {
    const { body } = await dc.evaluateRequest({ expression: name, frameId, context: 'watch' });
    rows[name] = { name, value: body.result, variablesReference: body.variablesReference, indexedVariables: body.indexedVariables };
  }
  return rows;
}

async function children(dc, row, start = 0, count = 100) {
  return (await dc.variablesRequest({ variablesReference: row.variablesReference, start, count })).body.variables;
}

async function bothAt(program, args, source, line, lldbLaunch) {
  const mine = await startSession();
  const { dc: theirs, initialized } = await startLldbDap();
  const a = await stopAt(mine, program, args, source, line);
  const b = await stopAt(theirs, program, args, source, line, lldbLaunch, initialized);
  return { mine, theirs, a, b };
}

test('Rust values in Variables agree with lldb-dap-22 and its Rust formatters', async () => {
  const program = buildWith('rustc', 'rust_values.rs', 'rust_values');
  const line = lineOf(rustSource, '// break: values');
  const { mine, theirs, a, b } = await bothAt(program, ['values'], rustSource, line, { initCommands: rustFormatters });
  try {
    const compared = ['text', 'empty_text', 'unicode', 'slice_text', 'numbers', 'words', 'empty_numbers', 'tail', 'some_number',
      'no_number', 'some_text', 'err', 'circle', 'rect', 'nothing', 'shared', 'shared_again', 'atomic', 'fixed_map', 'fixed_set',
      'random_map', 'queue', 'cell_vec', 'borrowed', 'triple', 'flag', 'big'];
    const ours = await locals(mine, a.frame.id);
    const lldb = await watched(theirs, b.frame.id, compared);
    for (const name of compared) assert.equal(ours[name].value, lldb[name].value, name);
    // A Vec pages its elements; an Option shows its value as the child 0, an enum variant its fields.
    assert.equal(ours.numbers.indexedVariables, 3);
    assert.deepEqual((await children(mine, ours.numbers, 1, 2)).map(v => [v.name, v.value]),
      (await children(theirs, lldb.numbers, 1, 2)).map(v => [v.name, v.value]));
    for (const name of ['some_number', 'circle', 'rect', 'words', 'fixed_map']) {
      assert.deepEqual((await children(mine, ours[name])).map(v => [v.name, v.value]),
        (await children(theirs, lldb[name])).map(v => [v.name, v.value]), name);
    }
    // Watch expressions over the same values: indexing, methods, dereferences and field paths, as the program holds them.
    const watch = async expression => (await mine.evaluateRequest({ expression, frameId: a.frame.id, context: 'watch' })).body.result;
    for (const [expression, expected] of [['numbers[1]', '2'], ['words[0]', '"alpha"'], ['text.len()', '5'], ['*boxed_number', '11'],
      ['account.home.unwrap().y', '6'], ['some_text.0', '"inner"'], ['fixed_map.len()', '3'], ['ordered[27]', "'b'"], ['circle.radius', '1.5']])
      assert.equal(await watch(expression), expected, expression);
    await assert.rejects(watch('numbers[7]'), /index 7 is outside the 3 elements/);
    // What lldb-22's formatter gets wrong (a niche at or above 2^63) the program's own {:?} confirms.
    assert.equal(ours.ok.value, 'Ok(3)');
    assert.equal(ours.quit.value, 'Quit');
    assert.equal(ours.painted.value, 'Paint(Blue, Some(200))');
    assert.equal(ours.ordered.value, 'size=40');
    assert.deepEqual((await children(mine, ours.ordered, 38, 2)).map(v => [v.name, v.value]), [['[38]', "'m'"], ['[39]', "'n'"]]);
  } finally {
    await endSession(mine);
    await endSession(theirs);
  }
});

test('stack frame names with format.parameters show Rust argument values as lldb-dap-22 does', async () => {
  const program = buildWith('rustc', 'rust_values.rs', 'rust_values');
  const line = lineOf(rustSource, '// break: inspect');
  const { mine, theirs, a, b } = await bothAt(program, ['values'], rustSource, line, { initCommands: rustFormatters });
  try {
    const format = { parameters: true, parameterNames: true, parameterValues: true };
    const ours = (await mine.stackTraceRequest({ threadId: a.threadId, startFrame: 0, levels: 1, format })).body.stackFrames[0].name;
    const lldb = (await theirs.stackTraceRequest({ threadId: b.threadId, startFrame: 0, levels: 1, format })).body.stackFrames[0].name;
    const args = name => name.slice(name.indexOf('(') + 1, name.lastIndexOf(')')).split(/, (?=\w+=)/).filter(p => !/=0x[0-9a-f]+$/.test(p));
    assert.ok(ours.startsWith('rust_values::inspect('), ours);
    assert.deepEqual(args(ours), args(lldb));
    assert.ok(args(ours).includes('maybe=Some(5)'), ours);
  } finally {
    await endSession(mine);
    await endSession(theirs);
  }
});

for (const [fixture, flags] of [['libstdc++', []], ['libc++', ['-stdlib=libc++', '-Wl,-rpath,/usr/lib/llvm-22/lib']]]) {
  test(`C++ ${fixture} values in Variables agree with lldb-dap-22`, async () => {
    const program = buildWith('clang++-22', 'cxx_values.cpp', `cxx_values_${fixture.replace('+', 'p').replace('+', 'p')}`, ['-std=c++20', ...flags]);
    const line = lineOf(cxxSource, '// break: values');
    const { mine, theirs, a, b } = await bothAt(program, ['values'], cxxSource, line, {});
    try {
      const compared = ['ordered', 'repeated', 'numbers', 'words', 'hashed', 'hashed_set', 'owned_number', 'nothing', 'maybe',
        'empty_maybe', 'maybe_text', 'alternative', 'first_alternative', 'queue', 'chain', 'vec', 'view', 'text_view', 'text'];
      const ours = await locals(mine, a.frame.id);
      const lldb = await watched(theirs, b.frame.id, compared);
      const normalize = v => v.replaceAll('std::__1::', 'std::').replaceAll('std::__cxx11::', 'std::').replace(/\s+/g, ' ').trim();
      for (const name of compared) {
        assert.equal(normalize(ours[name].value), normalize(lldb[name].value), name);
      }
      // lldb-dap shows a structure without a summary (a map's pair) by its type name; its members are compared instead.
      const tree = async (dc, row, depth) => Promise.all((await children(dc, row)).map(async v =>
        [v.name, depth > 0 && v.variablesReference && normalize(v.value) === normalize(v.type ?? '') ? await tree(dc, v, depth - 1) : normalize(v.value)]));
      const lldbTypeNamed = async row => tree(theirs, row, 1);
      for (const name of ['ordered', 'numbers', 'chain', 'vec', 'view']) {
        const expected = await lldbTypeNamed(lldb[name]);
        const actual = await Promise.all((await children(mine, ours[name])).map(async (v, i) =>
          [v.name, Array.isArray(expected[i]?.[1]) ? await tree(mine, v, 0) : normalize(v.value)]));
        assert.deepEqual(actual, expected, name);
      }
      assert.deepEqual((await children(mine, ours.queue, 150, 3)).map(v => v.value), ['150', '151', '152']);
      assert.equal(ours.queue.indexedVariables, 201);
    } finally {
      await endSession(mine);
      await endSession(theirs);
    }
  });
}

test('the Debug Console calls functions, assigns, reports a crashing call, and the program runs on', async () => {
  const program = buildWith('clang-22', 'calls.c', 'calls');
  const dc = await startSession();
  try {
    const { threadId, frame } = await stopAt(dc, program, ['7'], callsSource, lineOf(callsSource, '// break: calls'));
    const evaluate = (expression, context = 'repl') => dc.evaluateRequest({ expression, frameId: frame.id, context });
    assert.equal((await evaluate('add(2, 3)')).body.result, '5');
    assert.equal((await evaluate('make_pair(3, 4)')).body.result, '(a = 3, b = 4)');
    assert.equal((await evaluate('length_of("hello")')).body.result, '5');

    let invalidated = dc.waitForEvent('invalidated');
    assert.equal((await evaluate('bump(5)')).body.result, '105');
    assert.deepEqual((await invalidated).body.areas, ['variables']);
    invalidated = dc.waitForEvent('invalidated');
    assert.equal((await evaluate('local = 30')).body.result, '30');
    await invalidated;

    // A call that crashes may have changed memory first: the client is told to read its variables again all the same.
    invalidated = dc.waitForEvent('invalidated');
    await assert.rejects(evaluate('read_through(0)'), /the call of read_through stopped with SIGSEGV \(address 0x0\) in read_through \(calls\.c:\d+\); the thread was restored/);
    await invalidated;
    await assert.rejects(evaluate('spin(0)'), /the call of spin did not return within 5 s; it was interrupted in spin( \(calls\.c:\d+\))? and the thread was restored/);
    await assert.rejects(evaluate('bump(1)', 'hover'), /would change the program/);
    assert.equal((await evaluate('counter', 'hover')).body.result, '105');

    // The thread is where it was: the same frame, and the program ends as the changes say (local 30 + pair_sum 7 + 21).
    const after = await dc.stackTraceRequest({ threadId, startFrame: 0, levels: 1 });
    assert.equal(after.body.stackFrames[0].line, frame.line);
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId });
    assert.equal((await exited).body.exitCode, 0);
    assert.match(dc.outputText, /7 58 105/);
  } finally {
    await endSession(dc);
  }
});
