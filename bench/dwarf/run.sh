#!/usr/bin/env bash
# Cold open → first address lookup and cold open → name lookup: trapdbg (Native AOT) against lldb-22 -b on the same
# binary, runs interleaved (trapdbg, lldb, trapdbg, lldb, …) so machine load falls on both alike; medians of REPS runs.
# Usage: bench/dwarf/run.sh [BINARY ADDRESS NAME]
#   With no arguments: generate UNITS C++ units (bench/dwarf/generate.sh), build them with clang++-22 -g -O1, use that.
#   TRAPDBG=path/to/trapdbg skips publishing; REPS (default 5), UNITS (default 22, about 100 MiB of DWARF), JOBS (default 2), WORK (build dir),
#   CXXFLAGS_EXTRA (e.g. -gpubnames for a .debug_names index; use another WORK), NAME (default unit17::use3; use3 is defined in every unit).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${WORK:-/tmp/trapdbg-bench-dwarf}
reps=${REPS:-5}
mkdir -p "$work"
if [ $# -eq 0 ]; then
  units=${UNITS:-22}
  if [ ! -x "$work/big" ]; then
    "$here/generate.sh" "$work/src" "$units" 40
    mkdir -p "$work/obj"
    for ((u = 0; u < units; u++)); do echo "$u"; done | xargs -P "${JOBS:-2}" -I{} sh -c \
      '[ -f "$1/obj/unit$2.o" ] || clang++-22 -g -O1 $3 -c "$1/src/unit$2.cpp" -o "$1/obj/unit$2.o"' _ "$work" {} "${CXXFLAGS_EXTRA:-}"
    objs=()
    for ((u = 0; u < units; u++)); do objs+=("$work/obj/unit$u.o"); done
    clang++-22 -g -O1 ${CXXFLAGS_EXTRA:-} -fuse-ld=lld "$work/src/main.cpp" "${objs[@]}" -o "$work/big"
  fi
  binary="$work/big"
  name=${NAME:-unit17::use3}
  start=$(llvm-nm-22 "$binary" | awk '$3=="_ZN6unit174use3Ei"{print $1}')
  address=$(printf '0x%x' $((16#$start + 16)))
else
  binary=$1; address=$2; name=$3
fi
dwarf_bytes=0
while read -r size; do dwarf_bytes=$((dwarf_bytes + 16#$size)); done < <(llvm-readelf-22 -S -W "$binary" | sed 's/^ *\[ *[0-9]*\] //' | awk '$1 ~ /^\.debug_/ {print $5}')
echo "binary: $binary ($((dwarf_bytes / 1048576)) MiB of DWARF sections), address $address, name $name, $reps runs each"
if [ -z "${TRAPDBG:-}" ]; then
  export TRAPDBG_ARTIFACTS=${TRAPDBG_ARTIFACTS:-/tmp/art-bench}
  dotnet publish "$repo/src/TrapDebugger.Cli" -c Release -r linux-x64 -o "$work/trapdbg-aot" -v q >/dev/null
  TRAPDBG="$work/trapdbg-aot/trapdbg"
fi
echo "trapdbg address answer: $("$TRAPDBG" lookup "$binary" -a "$address" | head -4 | tr '\n' ' ')"
echo "trapdbg name answer:    $("$TRAPDBG" lookup "$binary" -n "$name" | head -2 | tr '\n' ' ')"
results=$(mktemp)
sample() { # label command... → appends "label wall-seconds peak-KiB cpu-seconds"
  local label=$1; shift
  /usr/bin/time -f "$label %e %M %U %S" -o "$results.one" "$@" >/dev/null 2>&1 || true
  awk '{print $1, $2, $3, $4 + $5}' "$results.one" > "$results.cpu" && mv "$results.cpu" "$results.one"
  cat "$results.one" >> "$results"
}
for ((i = 0; i < reps; i++)); do
  sample trapdbg-address "$TRAPDBG" lookup "$binary" -a "$address"
  sample lldb-address lldb-22 -b -o "image lookup -a $address" "$binary"
  sample trapdbg-name "$TRAPDBG" lookup "$binary" -n "$name"
  sample lldb-name lldb-22 -b -o "image lookup -n $name" "$binary"
done
median() { grep "^$1 " "$results" | awk -v c="$2" '{print $c}' | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
for q in address name; do
  t=$(median "trapdbg-$q" 2); l=$(median "lldb-$q" 2); tm=$(median "trapdbg-$q" 3); lm=$(median "lldb-$q" 3)
  tc=$(median "trapdbg-$q" 4); lc=$(median "lldb-$q" 4)
  printf '%-8s trapdbg %6.2f s wall %6.2f s cpu %5d MiB | lldb-22 %6.2f s wall %6.2f s cpu %5d MiB | wall %.2fx, cpu %.2fx, memory %.2fx\n' \
    "$q" "$t" "$tc" $((tm / 1024)) "$l" "$lc" $((lm / 1024)) \
    "$(awk -v a="$t" -v b="$l" 'BEGIN{print a/b}')" "$(awk -v a="$tc" -v b="$lc" 'BEGIN{print a/b}')" "$(awk -v a="$tm" -v b="$lm" 'BEGIN{print a/b}')"
done
echo "all samples (label, wall seconds, peak KiB, cpu seconds):"; cat "$results"
rm -f "$results" "$results.one"
