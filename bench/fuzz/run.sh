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
source "$here/chunks.sh"
total=${1:-100000}
seed=${2:-20261206}
chunk=${3:-10000}
from=${4:-0}
export TRAPDBG_FUZZ_KEEP=${KEEP:-/tmp/trapdbg-fuzz-failures}
fuzz_chunks TRAPDBG_FUZZ "*Mutated_binaries_are_read_or_rejected_with_one_sentence" '[0-9]+ mutants: .*' \
  "$total" "$seed" "$chunk" "$from"
status=$?
[ $status -eq 2 ] && exit 1
echo "mutants $from..$((total - 1)) in all; $([ $status -eq 0 ] && echo 'no failures' || echo 'FAILURES above')"
exit $status
