#!/bin/sh
# Engine benchmark: stackTrace of a 20-frame and a 2,000-frame (recursive) stack, and expansion of a large struct's
# locals, measured on a stopped process (the work behind the DAP requests, without the protocol).
# Usage: bench/engine/run.sh [iterations]     (default 50)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work="$root/bench/.work/engine"
n=${1:-50}
mkdir -p "$work"
export TRAPDBG_ARTIFACTS=${TRAPDBG_ARTIFACTS:-/tmp/art-bench-engine}
clang-22 -g -O0 -o "$work/recurse" "$here/recurse.c"
clang-22 -g -O0 -o "$work/bigstruct" "$here/bigstruct.c"
dotnet build -c Release "$here/EngineBench" >/dev/null
bench="$TRAPDBG_ARTIFACTS/bin/EngineBench/release/EngineBench"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
# descend() depth 14 (15 frames) + main + two libc start frames + _start: a 20-frame stack.
"$bench" stack "$work/recurse" 14 "$n"
"$bench" stack "$work/recurse" 1995 "$n"
"$bench" locals "$work/bigstruct" "$n"
