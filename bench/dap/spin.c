// A running program with no breakpoints, for the debugger's idle CPU: it computes for the given number of seconds
// without system calls (clock_gettime is answered in the vDSO), then exits.
#include <stdlib.h>
#include <time.h>
volatile unsigned long sink;
int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 12;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
        for (int i = 0; i < 100000; i++) sink += (unsigned long)i * i;
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9 < seconds);
    return 0;
}
