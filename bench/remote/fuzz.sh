#!/usr/bin/env bash
# Fuzzing of the agent's JSON-RPC at scale: the harness of tests/TrapDebugger.Cli.Tests/Fuzzing/AgentRpcFuzzTests, which
# the suite runs as a fixed-seed sample of 3,000 mutated requests against a real `trapdbg agent --stdio`.
# Usage: bench/remote/fuzz.sh [MUTANTS [SEED [CHUNK]]]   (defaults: 100000 mutants, seed 20261207, chunks of 20000)
#   Each chunk runs against a fresh agent; mutant i of a seed is always the same message, but what it does depends on
#   the agent's state (a process launched by an earlier mutant), so a failure is reproduced by its chunk:
#   TRAPDBG_RPC_FUZZ_FIRST=<chunk start> TRAPDBG_RPC_FUZZ_MUTANTS=<chunk size>.
# Prints one summary line per chunk and the total; exits non-zero if any chunk had a failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
total=${1:-100000}
seed=${2:-20261207}
chunk=${3:-20000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build "$repo/tests/TrapDebugger.Cli.Tests" -c Release -nologo -v q >"$work/build.txt" 2>&1 || { cat "$work/build.txt"; exit 1; }
cp -r "${TRAPDBG_ARTIFACTS:-$repo/artifacts}/bin/TrapDebugger.Cli.Tests/release" "$work/bin"
status=0
answered=0
for ((first = 0; first < total; first += chunk)); do
  count=$((total - first < chunk ? total - first : chunk))
  TRAPDBG_RPC_FUZZ_MUTANTS=$count TRAPDBG_RPC_FUZZ_SEED=$seed TRAPDBG_RPC_FUZZ_FIRST=$first \
    "$work/bin/TrapDebugger.Cli.Tests" -method "*Mutated_requests_are_answered_and_the_agent_keeps_serving" -showLiveOutput -noColor \
    >"$work/chunk.txt" 2>&1 || status=1
  summary=$(grep -m1 -oE '[0-9]+ mutated messages: .*' "$work/chunk.txt")
  echo "mutants $first..$((first + count - 1)) (seed $seed): ${summary:-no summary; see below}"
  if [ -z "$summary" ] || ! grep -q 'Failed: 0,' "$work/chunk.txt"; then
    grep -E '^\s+mutant [0-9]+ ' "$work/chunk.txt" | head -20
    [ -n "$summary" ] || tail -30 "$work/chunk.txt"
  fi
  answered=$((answered + $(grep -m1 -oE '[0-9]+ answered' <<<"$summary" | grep -oE '[0-9]+' || echo 0)))
done
echo "total: $total mutated requests, $answered answered; $( [ $status -eq 0 ] && echo '0 failures' || echo 'FAILURES above')"
exit $status
