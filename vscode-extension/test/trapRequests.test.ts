import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { readTrapOriginsBody, readTrapSitesBody, TrapReplyFormatError } from '../src/protocol/trapRequests';

const site = { address: '0x10', module: '/p', function: 'f', kind: 'ud2', messageSource: 'dwarf', merged: false, checkCount: 1, checks: [] };

test('a well-formed site keeps its fields, and absent optional fields stay absent', () => {
  const [s] = readTrapSitesBody({ sites: [{ ...site, category: 'C', message: 'M', line: 3, source: { path: '/a.c' } }] });
  assert.deepEqual(s, { ...site, category: 'C', message: 'M', line: 3, source: { path: '/a.c' } });
  const [bare] = readTrapSitesBody({ sites: [site] });
  assert.equal('category' in (bare ?? {}), false);
});

test('checkCount defaults to the number of checks, null optional fields are absent', () => {
  const [s] = readTrapSitesBody({ sites: [{ ...site, checkCount: undefined, category: null, checks: [{ address: '0x1', messageSource: 'none' }, { address: '0x2' }] }] });
  assert.equal(s?.checkCount, 2);
  assert.equal(s?.category, undefined);
  assert.equal(s?.checks[1]?.messageSource, 'none');
});

const badSites: [string, unknown, RegExp][] = [
  ['a body that is not an object', 'x', /body must be an object/],
  ['no sites array', {}, /"sites" must be an array/],
  ['a site that is not an object', { sites: [1] }, /sites\[0\]: must be an object/],
  ['an unknown kind', { sites: [{ ...site, kind: 'hlt' }] }, /"kind" must be ud2, ud1 or int3/],
  ['an unknown message source', { sites: [{ ...site, messageSource: 'guess' }] }, /"messageSource" must be/],
  ['an address that is a number', { sites: [{ ...site, address: 16 }] }, /"address" must be a string/],
  ['a line that is a string', { sites: [{ ...site, line: '3' }] }, /"line" must be a number/],
  ['checks not an array', { sites: [{ ...site, checks: {} }] }, /"checks" must be an array/],
  ['a check without address', { sites: [{ ...site, checks: [{}] }] }, /checks\[0\]: "address" must be a string/],
  ['merged not a boolean', { sites: [{ ...site, merged: 'yes' }] }, /"merged" must be a boolean/],
  ['source not an object', { sites: [{ ...site, source: 'a.c' }] }, /"source" must be an object/],
];
for (const [name, body, pattern] of badSites) {
  test(`trapSites: ${name} is a TrapReplyFormatError`, () => {
    assert.throws(() => readTrapSitesBody(body), (e: unknown) => e instanceof TrapReplyFormatError && pattern.test(e.message));
  });
}

test('trapOrigins: a well-formed body is read, the condition defaults to unknown', () => {
  const body = readTrapOriginsBody({ kind: 'trap', description: 'd', origins: [{ rank: 1, address: '0x1', messageSource: 'recovered', condition: 'holds', evidence: 'rdi = 0' }, { rank: 2, address: '0x2' }] });
  assert.equal(body.origins[0]?.evidence, 'rdi = 0');
  assert.equal(body.origins[1]?.condition, 'unknown');
});

const badOrigins: [string, unknown, RegExp][] = [
  ['no rank', { origins: [{ address: '0x1' }] }, /"rank" must be a number/],
  ['an unknown condition', { origins: [{ rank: 1, address: '0x1', condition: 'maybe' }] }, /"condition" must be holds, doesNotHold or unknown/],
  ['origins not an array', { origins: 3 }, /"origins" must be an array/],
  ['a body that is null', null, /body must be an object/],
];
for (const [name, body, pattern] of badOrigins) {
  test(`trapOrigins: ${name} is a TrapReplyFormatError`, () => {
    assert.throws(() => readTrapOriginsBody(body), (e: unknown) => e instanceof TrapReplyFormatError && pattern.test(e.message));
  });
}
