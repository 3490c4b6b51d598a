#!/usr/bin/env bash
# Opening a core of a 32-thread crash and printing the report: `trapdbg core CORE` (the diagnosis, the crashed thread's
# backtrace and one line per other thread) against `lldb-22 -c` and `gdb -c` with every thread's backtrace
# (`thread backtrace all` / `thread apply all bt`), interleaved in the same run. Prints every sample, the medians and the
# ratios (trapdbg / lldb, trapdbg / gdb) of wall time and of CPU time (user + system, which a loaded machine distorts less).
#
# Usage: bench/cores/run.sh [repetitions]      (default 7)
#   TRAPDBG=path/to/trapdbg   the debugger to time (default: the Native AOT build of this checkout, published first
#                             with `dotnet publish -c Release -r linux-x64 src/TrapDebugger.Cli`)
# The core is the kernel's: the program runs in a scratch folder with `ulimit -c unlimited`, where this machine's
# relative core_pattern (`core`) puts it; the pattern is never changed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
reps="${1:-7}"
artifacts="${TRAPDBG_ARTIFACTS:-$root/artifacts}"
lldb="${LLDB:-lldb-22}"
gdb="${GDB:-gdb}"
out="$artifacts/bench-cores"
rm -rf "$out"
mkdir -p "$out"
if [ -n "${TRAPDBG:-}" ]; then
  trapdbg="$TRAPDBG"
else
  echo "publishing the Native AOT build of src/TrapDebugger.Cli ..."
  TRAPDBG_ARTIFACTS="$artifacts" dotnet publish "$root/src/TrapDebugger.Cli/TrapDebugger.Cli.csproj" -c Release -r linux-x64 \
    -nologo -v quiet -clp:NoSummary >"$out/publish.log" 2>&1 || { cat "$out/publish.log"; exit 1; }
  trapdbg="$artifacts/publish/TrapDebugger.Cli/release_linux-x64/trapdbg"
fi

program="$out/threads32"
clang-22 -g -O2 -pthread -o "$program" tests/fixtures/threads32.c
(cd "$out" && ulimit -c unlimited && { "$program" trap >/dev/null 2>&1 || true; })
core="$(ls "$out"/core* 2>/dev/null | head -1)"
[ -n "$core" ] || { echo "the kernel wrote no core in $out (core_pattern: $(cat /proc/sys/kernel/core_pattern)); a relative pattern such as 'core' is needed"; exit 1; }
"$trapdbg" --help >/dev/null
echo "trapdbg: $trapdbg; lldb: $(command -v "$lldb"); gdb: $(command -v "$gdb"); core: $core ($(du -h "$core" | cut -f1) on disk)"

now() { date +%s%N; }
ms() { echo "scale=1; $1 / 1000000" | bc; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

# CPU time (user + system) of the last command, in nanoseconds, from /usr/bin/time.
cpu() { tail -1 "$out/time" | awk '{ printf "%d\n", ($1 + $2) * 1000000000 }'; }
timed() { /usr/bin/time -o "$out/time" -f "%U %S" "$@"; }

ours=() theirs_lldb=() theirs_gdb=() cpu_ours=() cpu_lldb=() cpu_gdb=()
for i in $(seq "$reps"); do
  t0=$(now); timed "$trapdbg" core "$core" --program "$program" >"$out/trapdbg.txt" 2>&1 || true; t1=$(now); cpu_ours+=("$(cpu)")
  grep -q "block checksum mismatch" "$out/trapdbg.txt" && grep -q "Other threads (32)" "$out/trapdbg.txt" \
    || { echo "trapdbg core did not report the crash and the 32 other threads:"; cat "$out/trapdbg.txt"; exit 1; }
  ours+=($((t1 - t0)))
  t0=$(now); timed "$lldb" -b -x -c "$core" "$program" -o "thread backtrace all" >"$out/lldb.txt" 2>&1 || true; t1=$(now); cpu_lldb+=("$(cpu)")
  [ "$(grep -c '^  [* ]\? \?thread #' "$out/lldb.txt")" -ge 33 ] || [ "$(grep -c 'thread #' "$out/lldb.txt")" -ge 33 ] \
    || { echo "lldb did not show 33 threads:"; cat "$out/lldb.txt"; exit 1; }
  theirs_lldb+=($((t1 - t0)))
  t0=$(now); timed "$gdb" -batch -nx -iex "set debuginfod enabled off" -c "$core" "$program" -ex "thread apply all bt" >"$out/gdb.txt" 2>&1 || true; t1=$(now); cpu_gdb+=("$(cpu)")
  [ "$(grep -c '^Thread ' "$out/gdb.txt")" -ge 33 ] || { echo "gdb did not show 33 threads:"; cat "$out/gdb.txt"; exit 1; }
  theirs_gdb+=($((t1 - t0)))
  echo "#$i  trapdbg core $(ms "${ours[-1]}") ms (CPU $(ms "${cpu_ours[-1]}"))   lldb -c $(ms "${theirs_lldb[-1]}") ms (CPU $(ms "${cpu_lldb[-1]}"))   gdb -c $(ms "${theirs_gdb[-1]}") ms (CPU $(ms "${cpu_gdb[-1]}"))"
done

mt=$(printf '%s\n' "${ours[@]}" | median); ml=$(printf '%s\n' "${theirs_lldb[@]}" | median); mg=$(printf '%s\n' "${theirs_gdb[@]}" | median)
ct=$(printf '%s\n' "${cpu_ours[@]}" | median); cl=$(printf '%s\n' "${cpu_lldb[@]}" | median); cg=$(printf '%s\n' "${cpu_gdb[@]}" | median)
echo
echo "medians over $reps interleaved runs (load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores)"
echo "trapdbg core (report, 33 threads):  $(ms "$mt") ms wall, $(ms "$ct") ms CPU"
echo "lldb-22 -c, thread backtrace all:   $(ms "$ml") ms wall, $(ms "$cl") ms CPU   ratio $(echo "scale=2; $mt / $ml" | bc) wall, $(echo "scale=2; $ct / $cl" | bc) CPU"
echo "gdb -c, thread apply all bt:        $(ms "$mg") ms wall, $(ms "$cg") ms CPU   ratio $(echo "scale=2; $mt / $mg" | bc) wall, $(echo "scale=2; $ct / $cg" | bc) CPU"
