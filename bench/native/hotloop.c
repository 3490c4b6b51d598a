// Calls f(x) for x = 0..n-1; a conditional breakpoint "x == -1" at f never matches, so every hit is pure overhead.
#include <stdlib.h>
volatile long sum;
__attribute__((noinline)) void f(long x) {
    sum += x; // the breakpoint line of bench/dap/hits.mjs: after the prologue, where x is in its home
    __asm__ volatile("" ::: "memory");
}
int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 20000;
    for (long i = 0; i < n; i++) f(i);
    return (int)(sum & 0x7f);
}
