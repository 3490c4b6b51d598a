#!/usr/bin/env bash
# Publishes the Native AOT trapdbg with the compiler's map file into a scratch folder and prints what makes up the
# binary (bench/aot-size/breakdown.mjs). Extra arguments go to dotnet publish, to compare settings, e.g.
#   bench/aot-size/run.sh -p:OptimizationPreference=Size
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
artifacts="${TRAPDBG_ARTIFACTS:-$root/artifacts}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
dotnet publish "$root/src/TrapDebugger.Cli" -c Release -r linux-x64 -nologo -v quiet -clp:NoSummary \
  -p:IlcGenerateMapFile=true -o "$out" "$@" >"$out/publish.log" 2>&1 || { cat "$out/publish.log"; exit 1; }
native="$artifacts/obj/TrapDebugger.Cli/release_linux-x64/native"
node "$root/bench/aot-size/breakdown.mjs" "$out/trapdbg" "$native/trapdbg.map.xml" "$native/trapdbg.ilc.rsp"
