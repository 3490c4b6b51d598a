#!/bin/sh
# Library values and function calls over DAP against lldb-dap-22, in one command: brings the Native AOT trapdbg up to
# date (./trapdbg --version publishes it when sources changed), builds the Rust fixture and runs the interleaved
# comparison (bench/values/bench.mjs).
# Usage: bench/values/run.sh [runs] [size]     (defaults: 5 runs, 10000 elements)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export TRAPDBG_ARTIFACTS=${TRAPDBG_ARTIFACTS:-$root/artifacts}
"$root/trapdbg" --version >/dev/null
exec node "$here/bench.mjs" --runs "${1:-5}" --size "${2:-10000}"
