#!/usr/bin/env bash
# Time from a trap to the printed report: `trapdbg run` end to end, and the trap of an attached service, side by side
# with lldb-22 on the same program in the same run. Prints every sample, the medians and the ratios (trapdbg / lldb).
#
# Usage: bench/traps/run.sh [repetitions]      (default 5)
#   TRAPDBG=path/to/trapdbg   the debugger to time (default: the Native AOT build of this checkout, published first
#                             with `dotnet publish -c Release -r linux-x64 src/TrapDebugger.Cli`; TRAPDBG=./trapdbg
#                             times the repository's launcher, which runs that same build)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
reps="${1:-5}"
artifacts="${TRAPDBG_ARTIFACTS:-$root/artifacts}"
lldb="${LLDB:-lldb-22}"
out="$artifacts/bench-traps"
mkdir -p "$out"
if [ -n "${TRAPDBG:-}" ]; then
  trapdbg="$TRAPDBG"
else
  echo "publishing the Native AOT build of src/TrapDebugger.Cli ..."
  TRAPDBG_ARTIFACTS="$artifacts" dotnet publish "$root/src/TrapDebugger.Cli/TrapDebugger.Cli.csproj" -c Release -r linux-x64 \
    -nologo -v quiet -clp:NoSummary >"$out/publish.log" 2>&1 || { cat "$out/publish.log"; exit 1; }
  trapdbg="$artifacts/publish/TrapDebugger.Cli/release_linux-x64/trapdbg"
fi

program="$out/verbose_trap_multi"
service="$out/service"
clang-22 -g -O2 -o "$program" tests/fixtures/verbose_trap_multi.c
clang-22 -g -O2 -pthread -o "$service" tests/fixtures/service.c
"$trapdbg" --help >/dev/null   # builds ./trapdbg when stale (TRAPDBG=./trapdbg), outside the timings
echo "trapdbg: $trapdbg; lldb: $(command -v "$lldb")"

now() { date +%s%N; }
ms() { echo "scale=1; $1 / 1000000" | bc; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

# ---- run: launch, run to the merged -O2 trap, print the report (backtrace), kill ----
run_trapdbg=() run_lldb=()
for i in $(seq "$reps"); do
  t0=$(now); "$trapdbg" run -- "$program" bounds >"$out/run-trapdbg.txt" 2>&1 || true; t1=$(now)
  grep -q "Bounds check: destination slot out of range" "$out/run-trapdbg.txt" || { echo "trapdbg run did not report the check:"; cat "$out/run-trapdbg.txt"; exit 1; }
  run_trapdbg+=($((t1 - t0)))
  t0=$(now); "$lldb" -b -o run -o bt -- "$program" bounds >"$out/run-lldb.txt" 2>&1 || true; t1=$(now)
  grep -q "stop reason = signal SIGILL" "$out/run-lldb.txt" || { echo "lldb did not stop:"; cat "$out/run-lldb.txt"; exit 1; }
  run_lldb+=($((t1 - t0)))
  echo "run   #$i  trapdbg $(ms "${run_trapdbg[-1]}") ms   lldb $(ms "${run_lldb[-1]}") ms"
done

# ---- attach: a running service traps (the trap file appears); time from creating the file to the debugger's exit
# after printing the report. The service checks for the file before each request (every 2 ms), so the trap follows
# within ~2 ms of the file. ----
wait_for() { # file pattern
  for _ in $(seq 3000); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.01; done
  echo "timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; return 1
}
attach_once() { # which
  local trapfile="$out/trap-$1" log="$out/attach-$1.txt" pid dbg t0 t1
  rm -f "$trapfile" "$log"
  "$service" 60000 --trap-file "$trapfile" >/dev/null 2>&1 &
  pid=$!
  sleep 0.2
  if [ "$1" = trapdbg ]; then
    "$trapdbg" attach "$pid" >"$log" 2>&1 &
    dbg=$!
    wait_for "$log" "waiting for it to stop"
  else
    "$lldb" -p "$pid" -b -o continue -o bt >"$log" 2>&1 &
    dbg=$!
    wait_for "$log" "(lldb) continue"
  fi
  sleep 0.2
  t0=$(now); : >"$trapfile"; wait "$dbg" || true; t1=$(now)
  grep -q "request accepted while the service is draining\|stop reason = signal SIGILL" "$log" || { echo "$1 did not report the trap:" >&2; cat "$log" >&2; kill -9 "$pid"; exit 1; }
  kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  rm -f "$trapfile"
  echo $((t1 - t0))
}
attach_trapdbg=() attach_lldb=()
for i in $(seq "$reps"); do
  attach_trapdbg+=("$(attach_once trapdbg)")
  attach_lldb+=("$(attach_once lldb)")
  echo "attach #$i  trapdbg $(ms "${attach_trapdbg[-1]}") ms   lldb $(ms "${attach_lldb[-1]}") ms"
done

rt=$(printf '%s\n' "${run_trapdbg[@]}" | median); rl=$(printf '%s\n' "${run_lldb[@]}" | median)
at=$(printf '%s\n' "${attach_trapdbg[@]}" | median); al=$(printf '%s\n' "${attach_lldb[@]}" | median)
echo
echo "medians over $reps runs (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
echo "trapdbg run end to end:         $(ms "$rt") ms   lldb -b -o run -o bt: $(ms "$rl") ms   ratio $(echo "scale=2; $rt / $rl" | bc)"
echo "attached service, trap→report:  $(ms "$at") ms   lldb -p -o continue -o bt: $(ms "$al") ms   ratio $(echo "scale=2; $at / $al" | bc)"
