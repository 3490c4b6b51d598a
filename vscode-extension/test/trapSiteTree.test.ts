import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { readTrapSitesBody, type TrapSiteInfo } from '../src/protocol/trapRequests';
import { addressValue, buildTrapSiteTree, siteDescription, siteLabel } from '../src/traps/trapSiteTree';
import type { TreeNode } from '../src/views/treeNode';

const src = { name: 'verbose_trap_multi.c', path: '/src/verbose_trap_multi.c' };

// The shape `trapSites` returns: one merged -O2 site in transfer(), a single verbose trap in get(),
// a UBSan ud1 without message, and a site in a shared library.
const body = {
  sites: [
    {
      address: '0x401190', module: '/tmp/prog', function: 'transfer', kind: 'ud2', messageSource: 'none', merged: true, checkCount: 3, line: 0,
      source: src,
      checks: [
        { address: '0x401150', source: src, line: 34, column: 9, category: 'Null check', message: 'source account is NULL', messageSource: 'recovered' },
        { address: '0x401158', source: src, line: 36, column: 17, category: 'Bounds check', message: 'destination slot out of range', messageSource: 'recovered' },
        { address: '0x401166', source: src, line: 29, column: 16, category: 'Invariant', message: 'amount must be positive', messageSource: 'recovered', inlinedFrom: 'require_positive' },
      ],
    },
    {
      address: '0x401136', module: '/tmp/prog', function: 'get', kind: 'ud2', category: 'Bounds check', message: 'index out of range', messageSource: 'dwarf',
      merged: false, checkCount: 1, source: { name: 'verbose_trap.c', path: '/src/verbose_trap.c' }, line: 8,
      checks: [{ address: '0x401130', source: { path: '/src/verbose_trap.c' }, line: 7, messageSource: 'dwarf' }],
    },
    { address: '0x401120', module: '/tmp/prog', function: 'get', kind: 'ud1', category: 'Undefined Behavior Sanitizer', messageSource: 'ubsanCheck', merged: false, checkCount: 1, checks: [] },
    { address: '0x7f0000001000', module: '/usr/lib/libx.so', function: '', kind: 'ud2', messageSource: 'none', merged: false, checkCount: 1, checks: [] },
  ],
};
const sites: TrapSiteInfo[] = readTrapSitesBody(body);

function find(nodes: TreeNode[], label: string): TreeNode {
  const node = nodes.find((n) => n.label === label);
  assert.ok(node, `no row "${label}" among ${nodes.map((n) => n.label).join(', ')}`);
  return node;
}

test('sites are grouped per module, then per function in name order, unknown function last', () => {
  const tree = buildTrapSiteTree(sites);
  assert.deepEqual(tree.map((m) => m.label), ['prog', 'libx.so']);
  assert.equal(tree[0]?.tooltip, '/tmp/prog');
  assert.equal(tree[0]?.description, '3 trap sites in 2 functions');
  assert.deepEqual(tree[0]?.children.map((f) => [f.label, f.description]), [['get', '2 trap sites'], ['transfer', '1 trap site']]);
  assert.deepEqual(tree[1]?.children.map((f) => f.label), ['<unknown function>']);
});

test('sites within a function are in address order', () => {
  const get = find(buildTrapSiteTree(sites)[0]?.children ?? [], 'get');
  assert.deepEqual(get.children.map((s) => s.id.split('site:')[1]), ['0x401120', '0x401136']);
});

test('a verbose trap shows "category: message" and its source line, and opens that line', () => {
  const get = find(buildTrapSiteTree(sites)[0]?.children ?? [], 'get');
  const site = find(get.children, 'Bounds check: index out of range');
  assert.equal(site.description, 'verbose_trap.c:8 · ud2');
  assert.deepEqual(site.location, { path: '/src/verbose_trap.c', line: 8 });
  assert.equal(site.children.length, 0, 'a site with one check needs no child rows');
  assert.match(site.tooltip ?? '', /from the debug information/);
});

test('a merged site counts its checks, lists them, and opens the first check with a line', () => {
  const transfer = find(buildTrapSiteTree(sites)[0]?.children ?? [], 'transfer');
  const site = transfer.children[0];
  assert.ok(site);
  assert.equal(site.label, 'Merged trap (3 checks)');
  assert.equal(site.description, '3 checks merged · ud2', 'line 0 is not shown');
  assert.deepEqual(site.location, { path: '/src/verbose_trap_multi.c', line: 34, column: 9 });
  assert.deepEqual(site.children.map((c) => [c.label, c.description]), [
    ['Null check: source account is NULL', 'verbose_trap_multi.c:34:9'],
    ['Bounds check: destination slot out of range', 'verbose_trap_multi.c:36:17'],
    ['Invariant: amount must be positive', 'verbose_trap_multi.c:29:16 · inlined from require_positive'],
  ]);
  assert.match(site.children[0]?.tooltip ?? '', /recovered from the source line/);
});

test('labels fall back to the category, then to the instruction', () => {
  const get = find(buildTrapSiteTree(sites)[0]?.children ?? [], 'get');
  assert.ok(get.children.some((s) => s.label === 'Undefined Behavior Sanitizer' && s.description === 'ud1' && s.location === undefined));
  const lib = buildTrapSiteTree(sites)[1]?.children[0]?.children[0];
  assert.equal(lib?.label, 'ud2 trap');
  const base = sites[3] as TrapSiteInfo;
  assert.equal(siteLabel({ ...base, kind: 'int3' }), 'int3 breakpoint trap');
  assert.equal(siteLabel({ ...base, message: 'only message' }), 'only message');
  assert.equal(siteDescription({ ...base, merged: false, checkCount: 2 }), '2 checks merged · ud2');
});

test('a UBSan site says its message is the check its ud1 encodes', () => {
  const ubsan = { ...(sites[2] as TrapSiteInfo), message: 'Integer multiplication overflowed' };
  const [file] = buildTrapSiteTree([ubsan]);
  const row = file?.children[0]?.children[0];
  assert.equal(row?.label, 'Undefined Behavior Sanitizer: Integer multiplication overflowed');
  assert.match(row?.tooltip ?? '', /Message: the UBSan check its ud1 encodes/);
});

test('row ids are unique, so VS Code can keep expansion state across refreshes', () => {
  const ids: string[] = [];
  const walk = (nodes: TreeNode[]) => nodes.forEach((n) => (ids.push(n.id), walk(n.children)));
  walk(buildTrapSiteTree(sites));
  assert.equal(new Set(ids).size, ids.length);
});

test('no sites make an empty tree', () => {
  assert.deepEqual(buildTrapSiteTree([]), []);
});

test('addressValue orders 64-bit addresses beyond Number precision', () => {
  assert.ok(addressValue('0xffffffffff600000') > addressValue('0xffffffffff5fffff'));
  assert.ok(addressValue('garbage') > addressValue('0xffffffffffffffff'));
});
