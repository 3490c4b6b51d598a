#!/usr/bin/env bash
# Mutation fuzzing of the ELF/DWARF readers through every command that reads a binary (the harness of
# tests/TrapDebugger.Cli.Tests/Fuzzing, which the suite runs as a fixed-seed sample of 1,500 mutants).
# Usage: bench/fuzz/run.sh [MUTANTS [SEED [CHUNK]]]   (defaults: 100000 mutants, seed 20261206, chunks of 20000)
#   Mutant i of a seed is always the same file, so a failure is reproduced with TRAPDBG_FUZZ_FIRST=i TRAPDBG_FUZZ_MUTANTS=1.
#   Failing mutants are written to $KEEP (default /tmp/trapdbg-fuzz-failures) to open with other tools.
# Prints one summary line per chunk and the total; exits non-zero if any chunk had a failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
total=${1:-100000}
seed=${2:-20261206}
chunk=${3:-20000}
keep=${KEEP:-/tmp/trapdbg-fuzz-failures}
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
dotnet build "$repo/tests/TrapDebugger.Cli.Tests" -c Release -nologo -v q >"$log/build.txt" 2>&1 || { cat "$log/build.txt"; exit 1; }
status=0
for ((first = 0; first < total; first += chunk)); do
  count=$((total - first < chunk ? total - first : chunk))
  TRAPDBG_FUZZ_MUTANTS=$count TRAPDBG_FUZZ_SEED=$seed TRAPDBG_FUZZ_FIRST=$first TRAPDBG_FUZZ_KEEP=$keep \
    dotnet test --project "$repo/tests/TrapDebugger.Cli.Tests" -c Release --no-build -- \
      --filter-method "*Mutated_binaries_are_read_or_rejected_with_one_sentence" --output detailed >"$log/chunk.txt" 2>&1 || status=1
  summary=$(grep -m1 -E '^\s+[0-9]+ mutants:' "$log/chunk.txt" | sed 's/^ *//')
  echo "mutants $first..$((first + count - 1)) (seed $seed): ${summary:-no summary; see below}"
  if [ -z "$summary" ] || grep -q '^failed ' "$log/chunk.txt"; then
    grep -E '^\s+mutant [0-9]+ ' "$log/chunk.txt" | head -20
    [ -n "$summary" ] || tail -30 "$log/chunk.txt"
  fi
done
echo "$total mutants in all; $([ $status -eq 0 ] && echo 'no failures' || echo 'FAILURES above')"
exit $status
