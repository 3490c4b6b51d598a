// A recursion whose depth comes from argv[1]; it traps at the bottom so the stack can be measured while stopped.
#include <stdlib.h>

__attribute__((noinline)) int descend(int depth, int acc) {
    if (depth == 0)
        __builtin_verbose_trap("Benchmark", "bottom of the recursion");
    return descend(depth - 1, acc + depth) + 1;
}

int main(int argc, char **argv) {
    int depth = argc > 1 ? atoi(argv[1]) : 20;
    return descend(depth, 0) == 0;
}
