// Compiles the repository's fixture programs with clang-22 into a temporary directory, once per test run,
// and finds lines in their sources by text (never by number).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const fixtureDir = path.join(repo, 'tests/fixtures');
const outDir = mkdtempSync(path.join(os.tmpdir(), 'trapdbg-dap-e2e-'));
const built = new Map();

/** Builds tests/fixtures/<name>.c at optimization <opt> ("-O0", "-O2") and returns the program path. */
export function buildFixture(name, opt = '-O0', extra = []) {
  const key = `${name}${opt}${extra.join(' ')}`;
  if (built.has(key)) return built.get(key);
  const source = path.join(fixtureDir, `${name}.c`);
  const program = path.join(outDir, `${name}${opt}${extra.length ? '-' + built.size : ''}`);
  execFileSync('clang-22', ['-g', opt, '-fno-omit-frame-pointer', source, '-o', program, ...extra], { stdio: 'inherit' });
  built.set(key, program);
  return program;
}

/** Builds tests/fixtures/<source> with <compiler> ("clang-22", "clang++-22", "g++", "rustc") and <flags> into
 * <name>, once per test run; returns the program path. */
export function buildWith(compiler, source, name, flags = []) {
  const key = `${compiler} ${source} ${name} ${flags.join(' ')}`;
  if (built.has(key)) return built.get(key);
  const program = path.join(outDir, name);
  const args = compiler === 'rustc'
    ? ['-g', '-C', 'opt-level=0', ...flags, '-o', program, path.join(fixtureDir, source)]
    : ['-g', '-O0', ...flags, path.join(fixtureDir, source), '-o', program];
  execFileSync(compiler, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  built.set(key, program);
  return program;
}

/** Compiles ad-hoc C source text and returns the program path. */
export function buildSource(name, text, extra = []) {
  const source = path.join(outDir, `${name}.c`);
  writeFileSync(source, text);
  const program = path.join(outDir, name);
  execFileSync('clang-22', ['-g', '-O0', source, '-o', program, ...extra], { stdio: 'inherit' });
  return { program, source };
}

/** A file that is executable but not ELF (a shell script). */
export function scriptFile() {
  const file = path.join(outDir, 'not-elf.sh');
  writeFileSync(file, '#!/bin/sh\necho hi\n');
  chmodSync(file, 0o755);
  return file;
}

export const tempDir = outDir;

/** 1-based number of the single line of <file> containing <text>; fails when there is not exactly one. */
export function lineOf(file, text) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const hits = lines.flatMap((l, i) => (l.includes(text) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`'${text}' occurs ${hits.length} times in ${file}`);
  return hits[0];
}
