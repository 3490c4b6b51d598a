#!/bin/sh
# Native-layer benchmark: breakpoint hits per second on a hot loop with a false condition (x == -1), side by side
# with gdb and lldb-22 on the same program in the same run, and the pause/resume round trip.
# Usage: bench/native/run.sh [hits]      (default 20000)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work="$root/bench/.work/native"
hits=${1:-20000}
mkdir -p "$work"
export TRAPDBG_ARTIFACTS=${TRAPDBG_ARTIFACTS:-/tmp/art-bench-native}
clang-22 -g -O0 -o "$work/hotloop" "$here/hotloop.c"
clang-22 -g -O0 -pthread -o "$work/threads" "$here/threads.c"
dotnet build -c Release "$here/NativeBench" >/dev/null
bench="$TRAPDBG_ARTIFACTS/bin/NativeBench/release/NativeBench"
# ASLR is off under all three debuggers: the PIE loads at 0x555555554000.
f=$(llvm-nm-22 "$work/hotloop" | awk '$3 == "f" { print $1 }')
fabs=$(printf '%x' $((0x555555554000 + 0x$f)))

now() { date +%s.%N; }
rate() { echo "$1 $2 $3" | awk '{ printf "%.0f", $1 / ($3 - $2) }'; }

echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bench" hits "$work/hotloop" "$fabs" "$hits" | tee "$work/native.txt"
native=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "hits/s") print $(i-1) }' "$work/native.txt")

t0=$(now)
gdb -batch -nx -ex 'break f if x == -1' -ex run --args "$work/hotloop" "$hits" >/dev/null 2>&1
t1=$(now)
gdb_rate=$(rate "$hits" "$t0" "$t1")
echo "gdb -batch: $hits hits in $(echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }') s = $gdb_rate hits/s"

t0=$(now)
lldb-22 -b -o 'breakpoint set -n f -c "x == -1"' -o run -- "$work/hotloop" "$hits" >/dev/null 2>&1
t1=$(now)
lldb_rate=$(rate "$hits" "$t0" "$t1")
echo "lldb-22 -b: $hits hits in $(echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }') s = $lldb_rate hits/s"

echo "ratio native/gdb: $(echo "$native $gdb_rate" | awk '{ printf "%.1f", $1 / $2 }')x, native/lldb: $(echo "$native $lldb_rate" | awk '{ printf "%.1f", $1 / $2 }')x"
"$bench" roundtrip "$work/threads" 1000

# What the breakpoint bytes cost: they are in memory only while threads run, so every all-stop takes them out and every
# resume puts them back (batched per page); a single step writes none. 1,000 never-called functions are patched.
{
  echo '#include <pthread.h>'
  echo '#include <stdlib.h>'
  echo '#include <unistd.h>'
  i=0; while [ $i -lt 1000 ]; do echo "__attribute__((noinline, used)) void site$i(void) { __asm__ volatile(\"\"); }"; i=$((i + 1)); done
  echo 'static void *worker(void *arg) { (void)arg; for (;;) usleep(50); return 0; }'
  echo 'int main(int argc, char **argv) { pthread_t t; for (int i = 0; i < 32; i++) pthread_create(&t, 0, worker, 0); sleep(argc > 1 ? atoi(argv[1]) : 600); return 0; }'
} > "$work/manysites.c"
clang-22 -g -O0 -pthread -o "$work/manysites" "$work/manysites.c"
llvm-nm-22 "$work/manysites" | awk '$3 ~ /^site[0-9]+$/ { print $1 }' > "$work/manysites.addresses"
"$bench" sites "$work/manysites" "$work/manysites.addresses" 300
