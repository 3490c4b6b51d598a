#!/usr/bin/env bash
# Mutation fuzzing of the ELF/DWARF readers through every command that reads a binary: the harness of
# tests/TrapDebugger.Cli.Tests/Fuzzing, which the suite runs as a fixed-seed sample of 1,500 mutants.
# Usage: bench/fuzz/run.sh [MUTANTS [SEED [CHUNK [FROM]]]]   (defaults: 100000 mutants, seed 20261206, chunks of 10000,
#   from mutant 0; FROM resumes a run: bench/fuzz/run.sh 100000 20261206 10000 60000 runs mutants 60000..99999)
#   Mutant i of a seed is always the same file: TRAPDBG_FUZZ_FIRST=i TRAPDBG_FUZZ_MUTANTS=1 reproduces one failure.
#   Failing mutants are written to $KEEP (default /tmp/trapdbg-fuzz-failures) to open with other tools.
#   The test binaries are copied to a folder of their own first, so rebuilding the checkout meanwhile does not disturb the run.
# Prints one summary line per chunk and the total; exits non-zero if any chunk had a failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
total=${1:-100000}
seed=${2:-20261206}
chunk=${3:-10000}
from=${4:-0}
keep=${KEEP:-/tmp/trapdbg-fuzz-failures}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build "$repo/tests/TrapDebugger.Cli.Tests" -c Release -nologo -v q >"$work/build.txt" 2>&1 || { cat "$work/build.txt"; exit 1; }
cp -r "${TRAPDBG_ARTIFACTS:-$repo/artifacts}/bin/TrapDebugger.Cli.Tests/release" "$work/bin"
status=0
for ((first = from; first < total; first += chunk)); do
  count=$((total - first < chunk ? total - first : chunk))
  TRAPDBG_FUZZ_MUTANTS=$count TRAPDBG_FUZZ_SEED=$seed TRAPDBG_FUZZ_FIRST=$first TRAPDBG_FUZZ_KEEP=$keep \
    "$work/bin/TrapDebugger.Cli.Tests" -method "*Mutated_binaries_are_read_or_rejected_with_one_sentence" -showLiveOutput -noColor \
    >"$work/chunk.txt" 2>&1 || status=1
  summary=$(grep -m1 -oE '[0-9]+ mutants: .*' "$work/chunk.txt")
  echo "mutants $first..$((first + count - 1)) (seed $seed): ${summary:-no summary; see below}"
  if [ -z "$summary" ] || ! grep -q 'Failed: 0,' "$work/chunk.txt"; then
    grep -E '^\s+mutant [0-9]+ ' "$work/chunk.txt" | head -20
    [ -n "$summary" ] || tail -30 "$work/chunk.txt"
  fi
done
echo "mutants $from..$((total - 1)) in all; $([ $status -eq 0 ] && echo 'no failures' || echo 'FAILURES above')"
exit $status
