import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { readTrapOriginsBody } from '../src/protocol/trapRequests';
import { buildTrapOriginList, conditionText, originDescription, originLabel } from '../src/traps/trapOriginList';

const src = { name: 'verbose_trap_multi.c', path: '/src/verbose_trap_multi.c' };
// Origins deliberately out of rank order: the view orders them.
const body = readTrapOriginsBody({
  kind: 'Merged trap',
  description: 'SIGILL at a ud2 shared by 5 checks in transfer',
  origins: [
    { rank: 2, address: '0x401150', source: src, line: 34, column: 9, category: 'Null check', message: 'source account is NULL', messageSource: 'recovered', condition: 'doesNotHold', evidence: 'rdi = 0x404040 is not 0' },
    { rank: 1, address: '0x401158', source: src, line: 36, column: 17, category: 'Bounds check', message: 'destination slot out of range', messageSource: 'recovered', condition: 'holds', evidence: 'esi = 9 >= 8 at the branch to the trap' },
    { rank: 3, address: '0x401166', source: src, line: 29, category: 'Invariant', message: 'amount must be positive', messageSource: 'recovered', condition: 'unknown', inlinedFrom: 'require_positive' },
  ],
});

test('origins are listed best first with rank, check text, source line and condition', () => {
  const list = buildTrapOriginList(body);
  assert.equal(list.headline, 'Merged trap: SIGILL at a ud2 shared by 5 checks in transfer');
  assert.deepEqual(list.nodes.map((n) => [n.label, n.description, n.icon]), [
    ['1. Bounds check: destination slot out of range', 'verbose_trap_multi.c:36:17 · condition holds', 'error'],
    ['2. Null check: source account is NULL', 'verbose_trap_multi.c:34:9 · condition does not hold', 'pass'],
    ['3. Invariant: amount must be positive', 'verbose_trap_multi.c:29 · condition unknown', 'question'],
  ]);
});

test('the first origin is expanded and shows its evidence, condition and branch address', () => {
  const [first, second] = buildTrapOriginList(body).nodes;
  assert.equal(first?.expanded, true);
  assert.equal(second?.expanded, false);
  assert.deepEqual(first?.children.map((c) => c.label), [
    'Evidence: esi = 9 >= 8 at the branch to the trap',
    'Condition: holds',
    'Branch at 0x401158',
  ]);
  assert.match(first?.tooltip ?? '', /\/src\/verbose_trap_multi.c:36/);
});

test('an inlined check says where it was inlined from', () => {
  const third = buildTrapOriginList(body).nodes[2];
  assert.ok(third?.children.some((c) => c.label === 'Inlined from require_positive'));
});

test('clicking an origin opens its source line and column', () => {
  assert.deepEqual(buildTrapOriginList(body).nodes[0]?.location, { path: '/src/verbose_trap_multi.c', line: 36, column: 17 });
});

test('an origin without source or message still has a label', () => {
  const bare = { rank: 4, address: '0x9', messageSource: 'none', condition: 'unknown' as const };
  assert.equal(originLabel(bare), '4. Check at 0x9');
  assert.equal(originDescription(bare), 'condition unknown');
  assert.equal(buildTrapOriginList({ kind: 'k', description: '', origins: [bare] }).nodes[0]?.location, undefined);
});

test('a stop without origins says so', () => {
  const list = buildTrapOriginList({ kind: 'Signal', description: 'SIGSEGV', origins: [] });
  assert.equal(list.headline, 'Signal: SIGSEGV');
  assert.deepEqual(list.nodes.map((n) => n.label), ['No candidate checks were found for this stop.']);
});

test('condition words', () => {
  assert.deepEqual((['holds', 'doesNotHold', 'unknown'] as const).map(conditionText), ['condition holds', 'condition does not hold', 'condition unknown']);
});
