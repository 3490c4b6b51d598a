// The trap stops end to end: the merged -O2 trap names the check that fired and lands on its line; exceptionInfo,
// trapOrigins and trapSites tell the same story.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { buildFixture, fixtureDir, lineOf } from './fixtures.mjs';
import { startSession, launchToStop, firstSourceFrame, endSession } from './session.mjs';
import { trapdbgPath } from '../test/adapter.mjs';

const multiSource = path.join(fixtureDir, 'verbose_trap_multi.c');

// Each check of transfer(): the argument that makes it fire, its message, and the lines that belong to it
// (the `if` that branches to the shared ud2, and the trap call itself).
const checks = [
  { arg: 'null', category: 'Null check', message: 'source account is NULL', lines: ['if (from == NULL)', '__builtin_verbose_trap("Null check"'] },
  { arg: 'bounds', category: 'Bounds check', message: 'destination slot out of range', lines: ['if (to_slot >= SLOT_COUNT)', '__builtin_verbose_trap("Bounds check"'] },
  { arg: 'state', category: 'State check', message: 'source account is not open', lines: ['if (from->state != ACCOUNT_OPEN)', '__builtin_verbose_trap("State check"'] },
  { arg: 'amount', category: 'Invariant', message: 'amount must be positive', lines: ['if (amount <= 0)', '"amount must be positive"'] },
  { arg: 'funds', category: 'Invariant', message: 'insufficient funds', lines: ['if (from->balance < amount)', '"insufficient funds"'] },
];

for (const check of checks) {
  test(`-O2 merged trap, check '${check.arg}': the stop names the check and lands on its line`, async () => {
    const program = buildFixture('verbose_trap_multi', '-O2');
    const dc = await startSession();
    try {
      const stopped = await launchToStop(dc, { program, args: [check.arg] });
      assert.equal(stopped.body.reason, 'exception');
      assert.equal(stopped.body.allThreadsStopped, true);
      // One line, led by the check that fired: what VS Code's exception widget shows first.
      const headline = `${check.category}: ${check.message}`;
      assert.ok(stopped.body.description.startsWith(headline), `stopped description "${stopped.body.description}"`);
      assert.doesNotMatch(stopped.body.description, /\n/);
      assert.ok(stopped.body.text, 'the stop has a kind');

      const expectedLines = check.lines.map(text => lineOf(multiSource, text));
      const { frame, trace } = await firstSourceFrame(dc, stopped.body.threadId);
      assert.ok(frame, 'some frame has source');
      assert.equal(path.basename(frame.source.path), 'verbose_trap_multi.c');
      assert.ok(expectedLines.includes(frame.line),
        `first frame with source is at line ${frame.line}, expected one of ${expectedLines} (${JSON.stringify(trace.body.stackFrames.slice(0, 4))})`);
      assert.ok(trace.body.totalFrames >= 2);
      assert.match(trace.body.stackFrames[0].instructionPointerReference, /^0x[0-9a-f]+$/);

      const info = await dc.send('exceptionInfo', { threadId: stopped.body.threadId });
      assert.equal(info.body.exceptionId, 'merged-trap');
      assert.equal(info.body.description, stopped.body.description);
      assert.ok(info.body.details.innerException.length >= 2, 'several ranked origins');
      // The ranked origins are listed once in details, conditions in words, no enum names.
      const detailLines = info.body.details.stackTrace.split('\n');
      const originLines = detailLines.filter(l => /^#\d+ /.test(l));
      assert.equal(originLines.length, info.body.details.innerException.length, detailLines.join('\n'));
      assert.deepEqual(originLines.map(l => Number(l.match(/^#(\d+)/)[1])), originLines.map((_, i) => i + 1));
      assert.ok(originLines.every(l => / — condition (holds|does not hold|unknown)\b/.test(l)), originLines.join('\n'));
      assert.doesNotMatch(info.body.details.stackTrace, /Holds|DoesNotHold|\[fired\]/);
      assert.doesNotMatch(info.body.description, /#1 /);
      assert.match(info.body.details.innerException[0].message, new RegExp(check.message));

      const origins = await dc.send('trapOrigins', {});
      assert.equal(origins.body.kind, 'merged-trap');
      const top = origins.body.origins[0];
      assert.equal(top.rank, 1);
      assert.equal(top.message, check.message);
      assert.notEqual(top.condition, 'doesNotHold');
      assert.ok(expectedLines.includes(top.line), `top origin at line ${top.line}`);
      assert.ok(origins.body.origins.length >= 5, 'every check of transfer() is a candidate');
    } finally {
      await endSession(dc);
    }
  });
}

test('-O0 verbose trap: the trap-message frame is a label and the caller is the first frame with source', async () => {
  const program = buildFixture('verbose_trap_multi', '-O0');
  const dc = await startSession();
  try {
    const stopped = await launchToStop(dc, { program, args: ['state'] });
    assert.equal(stopped.body.reason, 'exception');
    assert.match(stopped.body.description, /source account is not open/);
    const { frame, trace } = await firstSourceFrame(dc, stopped.body.threadId);
    assert.equal(trace.body.stackFrames[0].presentationHint, 'label');
    assert.equal(frame.line, lineOf(multiSource, '__builtin_verbose_trap("State check"'));
    const info = await dc.send('exceptionInfo', { threadId: stopped.body.threadId });
    assert.equal(info.body.exceptionId, 'verbose-trap');
    assert.equal(info.body.description, 'State check: source account is not open');
    assert.equal(stopped.body.description, info.body.description);
    // The loaded module's catalog places the verbose trap where the stop landed: the user's call line, at the stopped pc.
    const sites = await dc.send('trapSites', {});
    const site = sites.body.sites.find(s => s.message === 'source account is not open');
    assert.ok(site, JSON.stringify(sites.body.sites.map(s => s.message)));
    assert.equal(site.messageSource, 'dwarf');
    assert.equal(site.merged, false);
    assert.equal(site.line, frame.line);
    assert.equal(site.source.path, frame.source.path);
    assert.equal(site.address, trace.body.stackFrames[0].instructionPointerReference);
  } finally {
    await endSession(dc);
  }
});

test('trapSites lists the merged trap of transfer() without a process, one check per source check', async () => {
  const program = buildFixture('verbose_trap_multi', '-O2');
  const dc = await startSession();
  try {
    const sites = await dc.send('trapSites', { program });
    const merged = sites.body.sites.filter(s => s.function === 'transfer' && s.merged);
    assert.equal(merged.length, 1, JSON.stringify(sites.body.sites.map(s => [s.function, s.kind, s.checkCount])));
    const site = merged[0];
    assert.equal(site.kind, 'ud2');
    assert.ok(site.checkCount >= 5);
    const messages = site.checks.map(c => c.message);
    for (const check of checks) assert.ok(messages.includes(check.message), `${check.message} in ${messages}`);
    for (const c of site.checks) {
      const expected = checks.find(k => k.message === c.message).lines.map(text => lineOf(multiSource, text));
      assert.ok(expected.includes(c.line), `${c.message} at line ${c.line}`);
    }
  } finally {
    await endSession(dc);
  }
});

for (const opt of ['-O0', '-O2']) {
  test(`trapSites of a ${opt} program file is exactly what trapdbg traps --json prints`, async () => {
    const program = buildFixture('verbose_trap_multi', opt);
    const printed = JSON.parse(execFileSync(trapdbgPath(), ['traps', '--json', program], { encoding: 'utf8' }));
    const dc = await startSession();
    try {
      const sites = await dc.send('trapSites', { program });
      assert.deepEqual(sites.body, printed);
      const messages = sites.body.sites.flatMap(s => [s.message, ...s.checks.map(c => c.message)]);
      for (const check of checks) assert.ok(messages.includes(check.message), `${check.message} in ${messages}`);
      assert.ok(sites.body.sites.every(s => s.checkCount === s.checks.length));
      assert.ok(sites.body.sites.every(s => ['dwarf', 'recovered', 'ubsanCheck', 'none'].includes(s.messageSource)));
    } finally {
      await endSession(dc);
    }
  });
}

test('a failed assert lands on the assert line, glibc frames above it carry no source', async () => {
  const program = buildFixture('assert_fail', '-O0');
  const source = path.join(fixtureDir, 'assert_fail.c');
  const dc = await startSession();
  try {
    const stopped = await launchToStop(dc, { program, args: ['100'] });
    assert.equal(stopped.body.reason, 'exception');
    const info = await dc.send('exceptionInfo', { threadId: stopped.body.threadId });
    assert.equal(info.body.exceptionId, 'assert');
    const { frame } = await firstSourceFrame(dc, stopped.body.threadId);
    assert.equal(frame.source.path, source);
    assert.match(lineText(source, frame.line), /assert\(/);
  } finally {
    await endSession(dc);
  }
});

function lineText(file, line) {
  return readFileSync(file, 'utf8').split('\n')[line - 1];
}
