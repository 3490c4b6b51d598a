#!/usr/bin/env python3
"""Writes a C++ program whose DWARF grows with --units: each unit instantiates class templates over many types,
with namespaces, inlined members and lambdas, so the debug info looks like a large real C++ code base."""
import argparse, os

p = argparse.ArgumentParser()
p.add_argument("--units", type=int, default=400)
p.add_argument("--types", type=int, default=40)
p.add_argument("--out", default="gen")
a = p.parse_args()
os.makedirs(a.out, exist_ok=True)
with open(os.path.join(a.out, "common.h"), "w") as f:
    f.write("""#pragma once
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
""")
for u in range(a.units):
    with open(os.path.join(a.out, f"unit{u}.cpp"), "w") as f:
        f.write('#include "common.h"\n')
        f.write(f"namespace unit{u} {{\n")
        for t in range(a.types):
            f.write(f"struct Type{t} {{ int a{t}; double b; std::string name; bool operator<(const Type{t} &o) const {{ return a{t} < o.a{t}; }} }};\n")
            f.write(f"int use{t}(int n) {{ bench::Matrix<int, {t % 7 + 2}> m{{}}; bench::Registry<std::string, Type{t}> r; "
                    f"r.add(std::to_string(n), Type{t}{{n, 1.5, \"x\"}}); auto f = [&](int k) {{ return m.at(k, n) + (int)r.count(\"1\"); }}; "
                    f"return m.trace() + f(n) + (int)std::make_shared<Type{t}>()->a{t}; }}\n")
        f.write("}\n")
        f.write(f"int unit{u}_entry(int n) {{ int s = 0;\n")
        for t in range(a.types):
            f.write(f"  s += unit{u}::use{t}(n);\n")
        f.write("  return s; }\n")
with open(os.path.join(a.out, "main.cpp"), "w") as f:
    for u in range(a.units):
        f.write(f"int unit{u}_entry(int n);\n")
    f.write("int main(int argc, char **) { int s = 0;\n")
    for u in range(a.units):
        f.write(f"  s += unit{u}_entry(argc);\n")
    f.write("  return s & 1; }\n")
