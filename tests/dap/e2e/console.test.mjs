// The Debug Console: gdb's commands behind a prefix (bt, frame, p, ptype, x, info registers, thread apply all bt,
// disassemble, help), startup commands from the launch configuration, completions, disassembly that names call
// targets, and failures shown inline rather than as pop-ups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSource, lineOf } from './fixtures.mjs';
import { startSession, endSession, consoleLine, rawRequest } from './session.mjs';

const { program, source } = buildSource('console_target', `
#include <stdio.h>
#include <string.h>
struct account { int id; long balance; struct account *next; char owner[8]; };
struct account accounts[2] = { { 7, 1250, 0, "ann" }, { 8, -40, 0, "bob" } };
long counter = 41;
__attribute__((noinline)) long settle(struct account *a, long amount) {
    long total = a->balance + amount + (long)strlen(a->owner);
    if (total < 0) __builtin_trap(); /* overdrawn */
    return total;
}
int main(int argc, char **argv) {
    long outcome = 0;
    for (int i = 0; i < 2; i++) outcome += settle(&accounts[i], argc * 10);
    printf("%ld\\n", outcome);
    return (int)(outcome + counter);
}
`);
const trapLine = lineOf(source, '/* overdrawn */');
const callLine = lineOf(source, 'outcome += settle(');

async function stopAtTrap(dc, extra = {}) {
  const stopped = dc.waitForEvent('stopped');
  await dc.launchRequest({ program, ...extra });
  await dc.configurationDoneRequest();
  return (await stopped).body.threadId;
}

test('bt, frame, up, p, ptype, whatis, x and info registers answer as gdb does, in the selected frame', async () => {
  const dc = await startSession();
  try {
    const threadId = await stopAtTrap(dc);
    const trace = (await dc.stackTraceRequest({ threadId, startFrame: 0, levels: 20 })).body.stackFrames;
    const top = trace.find((f) => f.name === 'settle');

    const bt = await consoleLine(dc, '`bt');
    assert.equal(bt.success, true);
    const lines = bt.body.result.split('\n');
    assert.match(lines[0], new RegExp(`^#0 +0x[0-9a-f]{16} in settle \\(a=0x[0-9a-f]+, amount=10\\) at ${source}:${trapLine}$`));
    assert.match(lines[1], new RegExp(`^#1 +0x[0-9a-f]{16} in main \\(argc=1, argv=0x[0-9a-f]+\\) at ${source}:${callLine}$`));
    assert.ok(lines.some((l) => / in _start \(\) from /.test(l)) || lines.some((l) => /__libc_start/.test(l)));

    // frame 1 selects main: p now sees main's locals; up from there and down again.
    const frame1 = await consoleLine(dc, '`frame 1', top.id);
    assert.match(frame1.body.result, new RegExp(`^#1 .* in main .*:${callLine}\\n${callLine}\\t.*outcome \\+= settle`));
    assert.equal((await consoleLine(dc, '`p outcome', top.id)).body.result, '(long) 1263');
    assert.match((await consoleLine(dc, '`down', top.id)).body.result, /^#0 .* in settle/);
    const amount = await consoleLine(dc, '`p/x amount', top.id);
    assert.match(amount.body.result, /^\(long\) 0x0*a$/);

    // A struct value expands like a watch.
    const account = await consoleLine(dc, '`p *a', top.id);
    assert.match(account.body.result, /^\(account\) \{id=8, balance=-40/);
    assert.ok(account.body.variablesReference > 0);
    const children = (await dc.variablesRequest({ variablesReference: account.body.variablesReference })).body.variables;
    assert.deepEqual(children.map((v) => v.name), ['id', 'balance', 'next', 'owner']);

    assert.equal((await consoleLine(dc, '`ptype a', top.id)).body.result,
      'type = struct account {\n    int id;\n    long balance;\n    account *next;\n    char owner[8];\n} *');
    assert.equal((await consoleLine(dc, '`whatis accounts', top.id)).body.result, 'type = account[2]');

    // x/2gx on the array: the words are the first account's id (with padding) and balance, labelled by symbol.
    const x = await consoleLine(dc, '`x/2gx accounts', top.id);
    assert.match(x.body.result, /^0x[0-9a-f]+ <accounts>:\t0x0000000000000007\t0x00000000000004e2$/);
    assert.match((await consoleLine(dc, '`x/s a->owner', top.id)).body.result, /^0x[0-9a-f]+ <accounts\+\d+>:\t"bob"$/);
    assert.match((await consoleLine(dc, '`x/dw &counter', top.id)).body.result, /^0x[0-9a-f]+ <counter>:\t41$/);

    // info registers: rip is the top frame's pc, named by function and offset.
    const registers = await consoleLine(dc, '`info registers rip rsp eflags', top.id);
    const rip = registers.body.result.split('\n')[0];
    assert.match(rip, new RegExp(`^rip +${top.instructionPointerReference} +${top.instructionPointerReference} <settle\\+\\d+>$`));
    assert.match(registers.body.result, /\neflags +0x[0-9a-f]+ +\[ [A-Z ]*\]$/);
  } finally {
    await endSession(dc);
  }
});

test('disassemble marks the pc and names call targets; thread apply all bt; the disassemble request names them too', async () => {
  const dc = await startSession();
  try {
    const threadId = await stopAtTrap(dc);
    const top = (await dc.stackTraceRequest({ threadId, startFrame: 0, levels: 1 })).body.stackFrames[0];
    const listing = (await consoleLine(dc, '`disassemble main', top.id)).body.result.split('\n');
    assert.equal(listing[0], 'Dump of assembler code for function main:');
    assert.equal(listing.at(-1), 'End of assembler dump.');
    assert.ok(listing.some((l) => /call +0x[0-9a-f]+ <settle>/.test(l)), listing.join('\n'));
    assert.ok(listing.some((l) => /call +0x[0-9a-f]+ <printf@plt>/.test(l)), listing.join('\n'));
    const own = (await consoleLine(dc, '`disassemble', top.id)).body.result.split('\n');
    assert.equal(own.filter((l) => l.startsWith('=> ')).length, 1);
    assert.ok(own.find((l) => l.startsWith('=> ')).includes(`${BigInt(top.instructionPointerReference).toString(16).padStart(16, '0')}`));
    assert.ok(own.some((l) => /call +0x[0-9a-f]+ <strlen@plt>/.test(l)), own.join('\n'));

    const all = (await consoleLine(dc, '`thread apply all bt')).body.result;
    assert.match(all, new RegExp(`^Thread ${threadId} "console_target" \\(stopped here\\):\\n#0 `));

    const rows = (await dc.send('disassemble', { memoryReference: top.instructionPointerReference, instructionOffset: -40, instructionCount: 80 })).body.instructions;
    assert.ok(rows.some((r) => /^call +0x[0-9a-f]+ <strlen@plt>$/.test(r.instruction)), rows.map((r) => r.instruction).join('\n'));
  } finally {
    await endSession(dc);
  }
});

test('help lists the commands; mistakes are reported inline (showUser false), and a command typed without the prefix says how', async () => {
  const dc = await startSession();
  try {
    const help = await consoleLine(dc, '`help');
    for (const command of ['`bt', '`x/NFU ADDRESS', '`info registers', '`thread apply all bt', '`frame', '`p[/FMT]', '`ptype', '`disassemble'])
      assert.ok(help.body.result.includes(command), `help lacks ${command}`);
    assert.match((await consoleLine(dc, '`help x')).body.result, /^`x\/NFU ADDRESS\nExamine memory.*\n.*x\/8gx \$rsp/s);
    // Without a process: commands say so, inline.
    const none = await consoleLine(dc, '`bt');
    assert.equal(none.success, false);
    assert.equal(none.message, 'There is no process; launch or attach first.');
    assert.equal(none.body.error.showUser, false);

    const threadId = await stopAtTrap(dc);
    const top = (await dc.stackTraceRequest({ threadId, startFrame: 0, levels: 1 })).body.stackFrames[0];
    const unknown = await consoleLine(dc, '`frobnicate', top.id);
    assert.equal(unknown.message, "Undefined command: 'frobnicate'. Try 'help'.");
    assert.equal(unknown.body.error.showUser, false);
    const bad = await consoleLine(dc, '`x/8q &counter', top.id);
    assert.match(bad.message, /'q' in 'x\/8q' is neither a format/);
    const deep = await consoleLine(dc, '`frame 99', top.id);
    assert.match(deep.message, /^No frame 99: thread \d+ has \d+ \(#0 to #\d+\)\.$/);
    const bare = await consoleLine(dc, 'bt', top.id);
    assert.equal(bare.success, false);
    assert.match(bare.message, /To run the console command, type `bt\.$/);
    // An ordinary expression still evaluates.
    assert.equal((await consoleLine(dc, 'counter + 1', top.id)).body.result, '42');
    // A failing watch expression is not a pop-up either.
    const watch = await rawRequest(dc, 'evaluate', { expression: 'no_such_name', context: 'watch', frameId: top.id });
    assert.equal(watch.body.error.showUser, false);
  } finally {
    await endSession(dc);
  }
});

test('initCommands, preRunCommands and stopCommands run from the launch configuration, echoed in the Debug Console', async () => {
  const dc = await startSession();
  try {
    await stopAtTrap(dc, { initCommands: ['help bt'], preRunCommands: ['`info sharedlibrary'], stopCommands: ['bt 1', 'x/dw &counter'] });
    await new Promise((r) => setTimeout(r, 500));
    const text = dc.outputText;
    const init = text.indexOf('`help bt\n`bt [N]\n');
    const preRun = text.indexOf('`info sharedlibrary\nFrom');
    const stop = text.indexOf('`bt 1\n#0 ');
    assert.ok(init >= 0 && preRun > init && stop > preRun, text);
    assert.match(text.slice(preRun), new RegExp(`0x[0-9a-f]{16} 0x[0-9a-f]{16} Yes +${program}\\n`));
    assert.match(text.slice(stop), /^`bt 1\n#0 .* in settle .*\n\(More stack frames follow/);
    assert.match(text.slice(stop), /`x\/dw &counter\n0x[0-9a-f]+ <counter>:\t41\n/);
  } finally {
    await endSession(dc);
  }
});

test('completions: members after . and ->, names in scope, registers after $, and commands after the prefix', async () => {
  const dc = await startSession();
  try {
    const threadId = await stopAtTrap(dc);
    const top = (await dc.stackTraceRequest({ threadId, startFrame: 0, levels: 1 })).body.stackFrames[0];
    const complete = async (text, column = text.length + 1) =>
      (await dc.send('completions', { text, column, frameId: top.id })).body.targets;

    assert.deepEqual((await complete('a->')).map((t) => t.label), ['id', 'balance', 'next', 'owner']);
    const member = await complete('a->bal');
    assert.deepEqual(member.map((t) => [t.label, t.start, t.length, t.detail]), [['balance', 4, 3, 'long']]);
    assert.deepEqual((await complete('accounts[1].ow')).map((t) => t.label), ['owner']);
    assert.deepEqual((await complete('(*a).n')).map((t) => t.label), ['next']);
    const names = (await complete('to')).map((t) => t.label);
    assert.deepEqual(names, ['total']);
    const scope = (await complete('')).map((t) => t.label);
    for (const name of ['total', 'a', 'amount', 'accounts', 'counter']) assert.ok(scope.includes(name), `${name} missing from ${scope}`);
    assert.ok(scope.indexOf('total') < scope.indexOf('accounts'), 'locals come before globals');
    assert.ok((await complete('$r')).some((t) => t.label === '$rip'));
    assert.deepEqual((await complete('`thr')).map((t) => t.label), ['thread apply all bt', 'thread apply all backtrace']);
    assert.deepEqual((await complete('`p a->ne')).map((t) => [t.label, t.start]), [['next', 7]]);
    assert.deepEqual((await complete('`bt ')), []);
    // The cursor in the middle of the line completes what is before it.
    assert.deepEqual((await complete('a->bal + 1', 7)).map((t) => t.label), ['balance']);
  } finally {
    await endSession(dc);
  }
});
