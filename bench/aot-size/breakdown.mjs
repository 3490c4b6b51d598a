// What makes up the Native AOT trapdbg: the ELF sections of the binary, and the compiler's map file (IlcGenerateMapFile)
// summed by the assembly each node belongs to (its mangled name starts with the assembly's name).
//
//   node bench/aot-size/breakdown.mjs BINARY MAP.xml ILC.rsp
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const [binary, map, rsp] = process.argv.slice(2);
if (!rsp) throw new Error('usage: node breakdown.mjs BINARY MAP.xml ILC.rsp');
const mb = (n) => (n / 1e6).toFixed(2).padStart(6);

// 1. Sections with bytes in the file, largest first.
const sections = [];
for (const line of execFileSync('readelf', ['-SW', binary], { encoding: 'utf8' }).split('\n')) {
  const m = /^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)/.exec(line);
  if (m && m[2] !== 'NOBITS' && m[2] !== 'NULL') sections.push([m[1], parseInt(m[3], 16)]);
}
sections.sort((a, b) => b[1] - a[1]);
const size = readFileSync(binary).length;
console.log(`${binary}: ${size} bytes (${mb(size).trim()} MB)\n\n| section | MB |\n| --- | ---: |`);
for (const [name, bytes] of sections.filter(([, b]) => b >= 50_000)) console.log(`| \`${name}\` | ${mb(bytes)} |`);

// 2. Map nodes by assembly. ILC mangles System.Private.X as S_P_X and dots as underscores.
const assemblies = new Map();
for (const line of readFileSync(rsp, 'utf8').split('\n')) {
  const file = line.startsWith('-r:') ? line.slice(3) : !line.startsWith('-') && line.endsWith('.dll') ? line : null;
  if (!file) continue;
  const name = path.basename(file, '.dll');
  const mangled = name.startsWith('System.Private.') ? 'S_P_' + name.slice('System.Private.'.length).replace(/\./g, '_') : name.replace(/\./g, '_');
  assemblies.set(mangled, name);
}
const prefixes = [...assemblies.keys()].sort((a, b) => b.length - a.length);
const byAssembly = new Map();
const byKind = new Map();
for (const line of readFileSync(map, 'utf8').split('\n')) {
  const m = /^\s*<(\w+) Name="([^"]*)" Length="(\d+)"/.exec(line);
  if (!m) continue;
  const [, kind, raw, length] = m;
  const name = raw.replace(/^_ZTV\d+/, '').replace(/^__GenericDict_/, '').replace(/&lt;Boxed&gt;/g, '');
  const prefix = prefixes.find((p) => name.startsWith(p + '_'));
  const owner = prefix ? assemblies.get(prefix) : `(runtime data: ${kind})`;
  byAssembly.set(owner, (byAssembly.get(owner) ?? 0) + Number(length));
  byKind.set(kind, (byKind.get(kind) ?? 0) + Number(length));
}
console.log('\n| assembly (code, type data, statics) or runtime data | MB |\n| --- | ---: |');
for (const [owner, bytes] of [...byAssembly].sort((a, b) => b[1] - a[1]).filter(([, b]) => b >= 50_000)) console.log(`| ${owner} | ${mb(bytes)} |`);
console.log('\n| node kind | MB |\n| --- | ---: |');
for (const [kind, bytes] of [...byKind].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`| ${kind} | ${mb(bytes)} |`);
