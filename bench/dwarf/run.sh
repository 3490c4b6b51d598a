#!/usr/bin/env bash
# Cold open → first address lookup and → name lookup, TrapDebugger vs lldb-22 -b, on the same binary in the same run.
# Usage: bench/dwarf/run.sh [BINARY ADDRESS NAME]   (default: generate and build the large C++ program first)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${WORK:-/tmp/trapdbg-bench-dwarf}
mkdir -p "$work"
if [ $# -eq 0 ]; then
  python3 "$here/generate.py" --units "${UNITS:-400}" --out "$work/src"
  if [ ! -x "$work/big" ]; then
    ls "$work/src"/*.cpp | xargs -P "${JOBS:-2}" -I{} sh -c 'o='"$work"'/obj/$(basename {} .cpp).o; mkdir -p '"$work"'/obj; [ -f $o ] || clang++-22 -g -O1 -c {} -o $o'
    clang++-22 -fuse-ld=lld "$work"/obj/*.o -o "$work/big"
  fi
  binary="$work/big"
  name=unit7_entry
  address=$(llvm-nm-22 "$binary" | awk '$3=="_ZN5unit74use3Ei"{print "0x"$1}')
  address=$(printf '0x%x' $((address + 16)))
else
  binary=$1; address=$2; name=$3
fi
dwarf_mb=$(llvm-readelf-22 -S -W "$binary" 2>/dev/null | python3 -c 'import sys; print(round(sum(int(l.split("]",1)[1].split()[4],16) for l in sys.stdin if "] .debug_" in l)/1048576))')
echo "binary: $binary ($dwarf_mb MiB of DWARF), address $address, name $name"
export TRAPDBG_ARTIFACTS=${TRAPDBG_ARTIFACTS:-/tmp/art-bench}
dotnet build -c Release "$here/DwarfBench" -v q >/dev/null
bench="$TRAPDBG_ARTIFACTS/bin/DwarfBench/release/DwarfBench"
measure() { /usr/bin/time -f "%e s wall, %M KiB peak" "$@" 2>&1 >/dev/null | tail -1; }
for i in 1 2 3; do
  echo "trapdbg address: $($bench "$binary" address "$address" | cut -c1-60) / $(measure $bench "$binary" address "$address")"
  echo "lldb-22 address: $(measure lldb-22 -b -o "image lookup -v -a $address" "$binary")"
  echo "trapdbg name:    $($bench "$binary" name "$name" | cut -c1-60) / $(measure $bench "$binary" name "$name")"
  echo "lldb-22 name:    $(measure lldb-22 -b -o "image lookup -n $name" "$binary")"
done
