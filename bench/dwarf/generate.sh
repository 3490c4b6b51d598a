#!/usr/bin/env bash
# Writes a C++ program whose DWARF grows with UNITS: each unit instantiates class templates over many types, with
# namespaces, inlined members and lambdas, so the debug info looks like a large real C++ code base (every unit
# repeats the standard library's types, as separately compiled units of a real program do).
# Usage: bench/dwarf/generate.sh OUT_DIR [UNITS] [TYPES_PER_UNIT]
set -euo pipefail
out=${1:?usage: generate.sh OUT_DIR [UNITS] [TYPES_PER_UNIT]}
units=${2:-400}
types=${3:-40}
mkdir -p "$out"
cat > "$out/common.h" <<'HEADER'
#pragma once
#include <map>
#include <string>
#include <vector>
#include <memory>
#include <functional>
namespace bench {
template <typename T, int N> struct Matrix {
    T cells[N][N];
    __attribute__((always_inline)) inline T at(int r, int c) const { return cells[r % N][c % N]; }
    T trace() const { T t{}; for (int i = 0; i < N; ++i) t += at(i, i); return t; }
};
template <typename K, typename V> struct Registry {
    std::map<K, std::vector<V>> items;
    void add(const K &k, V v) { items[k].push_back(std::move(v)); }
    size_t count(const K &k) const { auto it = items.find(k); return it == items.end() ? 0 : it->second.size(); }
};
}
HEADER
awk -v units="$units" -v types="$types" -v out="$out" 'BEGIN {
    for (u = 0; u < units; u++) {
        f = out "/unit" u ".cpp"
        printf "#include \"common.h\"\nnamespace unit%d {\n", u > f
        for (t = 0; t < types; t++) {
            printf "struct Type%d { int a%d; double b; std::string name; bool operator<(const Type%d &o) const { return a%d < o.a%d; } };\n", t, t, t, t, t > f
            printf "int use%d(int n) { bench::Matrix<int, %d> m{}; bench::Registry<std::string, Type%d> r; r.add(std::to_string(n), Type%d{n, 1.5, \"x\"}); auto f = [&](int k) { return m.at(k, n) + (int)r.count(\"1\"); }; return m.trace() + f(n) + (int)std::make_shared<Type%d>()->a%d; }\n", t, t % 7 + 2, t, t, t, t > f
        }
        printf "}\nint unit%d_entry(int n) { int s = 0;\n", u > f
        for (t = 0; t < types; t++) printf "  s += unit%d::use%d(n);\n", u, t > f
        printf "  return s; }\n" > f
        close(f)
    }
    m = out "/main.cpp"
    for (u = 0; u < units; u++) printf "int unit%d_entry(int n);\n", u > m
    printf "int main(int argc, char **) { int s = 0;\n" > m
    for (u = 0; u < units; u++) printf "  s += unit%d_entry(argc);\n", u > m
    printf "  return s & 1; }\n" > m
}'
