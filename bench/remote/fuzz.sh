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
source "$here/../fuzz/chunks.sh"
total=${1:-100000}
seed=${2:-20261207}
chunk=${3:-20000}
fuzz_chunks TRAPDBG_RPC_FUZZ "*Mutated_requests_are_answered_and_the_agent_keeps_serving" '[0-9]+ mutated messages: .*' \
  "$total" "$seed" "$chunk" 0
status=$?
[ $status -eq 2 ] && exit 1
answered=0
for summary in "${FUZZ_SUMMARIES[@]}"; do
  answered=$((answered + $(grep -m1 -oE '[0-9]+ answered' <<<"$summary" | grep -oE '[0-9]+' || echo 0)))
done
echo "total: $total mutated requests, $answered answered; $( [ $status -eq 0 ] && echo '0 failures' || echo 'FAILURES above')"
exit $status
