// The program `next` is measured on: a loop whose body has a plain statement, a call that runs a loop of its own, a
// library call through the PLT and a branch, as stepping through real code meets them.
#include <stdio.h>
#include <stdlib.h>
volatile long sink;
__attribute__((noinline)) long work(long n) {
    long s = 0;
    for (long i = 0; i < n; i++) s += i * i;
    return s;
}
int main(int argc, char **argv) {
    long rounds = argc > 1 ? atol(argv[1]) : 1000;
    for (long r = 0; r < rounds; r++) {
        long a = r * 3;
        sink = work(1000);
        sink += a;
        if (r % 10 == 0) printf("%ld\n", r);
        sink ^= r;
    }
    return 0;
}
