# Sourced by bench/fuzz/run.sh and bench/remote/fuzz.sh: runs one fuzzing test of tests/TrapDebugger.Cli.Tests in chunks.
#
#   fuzz_chunks PREFIX METHOD SUMMARY TOTAL SEED CHUNK FROM
#
# Builds the CLI tests and copies them to a folder of their own (so rebuilding the checkout meanwhile does not disturb
# the run), then runs test METHOD for mutants FROM..TOTAL-1 of SEED, CHUNK at a time, telling the harness which through
# PREFIX_MUTANTS, PREFIX_SEED and PREFIX_FIRST. Prints one line per chunk with the harness's summary (the first match of
# the regular expression SUMMARY) and the failing mutants of a chunk that had any; leaves the summaries in the array
# FUZZ_SUMMARIES. Returns 1 if a chunk failed, 2 if the build failed.
fuzz_chunks() {
  local prefix=$1 method=$2 pattern=$3 total=$4 seed=$5 chunk=$6 from=$7
  local repo work status=0 first count summary
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  work=$(mktemp -d)
  FUZZ_WORK=$work
  trap 'rm -rf "$FUZZ_WORK"' EXIT
  FUZZ_SUMMARIES=()
  if ! dotnet build "$repo/tests/TrapDebugger.Cli.Tests" -c Release -nologo -v q >"$work/build.txt" 2>&1; then
    cat "$work/build.txt"
    return 2
  fi
  cp -r "${TRAPDBG_ARTIFACTS:-$repo/artifacts}/bin/TrapDebugger.Cli.Tests/release" "$work/bin"
  for ((first = from; first < total; first += chunk)); do
    count=$((total - first < chunk ? total - first : chunk))
    env "${prefix}_MUTANTS=$count" "${prefix}_SEED=$seed" "${prefix}_FIRST=$first" \
      "$work/bin/TrapDebugger.Cli.Tests" -method "$method" -showLiveOutput -noColor >"$work/chunk.txt" 2>&1 || status=1
    summary=$(grep -m1 -oE "$pattern" "$work/chunk.txt")
    FUZZ_SUMMARIES+=("$summary")
    echo "mutants $first..$((first + count - 1)) (seed $seed): ${summary:-no summary; see below}"
    if [ -z "$summary" ] || ! grep -q 'Failed: 0,' "$work/chunk.txt"; then
      grep -E '^\s+mutant [0-9]+ ' "$work/chunk.txt" | head -20
      [ -n "$summary" ] || tail -30 "$work/chunk.txt"
    fi
  done
  return $status
}
