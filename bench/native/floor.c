// The floor for breakpoint hits per second: the least a ptrace debugger can do for a conditional breakpoint, a
// hit-count breakpoint or a logpoint that never stops. One process, one thread, no symbols: an int3 at a given offset
// of the program, and at each hit read the registers, decide, put the original byte back, single-step over it,
// re-insert the int3 and continue (what gdb and TrapDebugger do for every hit of a breakpoint that does not stop).
//
//   floor MODE OFFSET PROGRAM [ARGS...]
//     MODE    condition (stop when rdi == -1, never true here) | hitcount (stop at hit 2^62) | logpoint (print rdi)
//     OFFSET  hex address of the breakpoint relative to the program's load base (llvm-nm of a PIE)
// Prints "floor MODE: N hits in S s = R hits/s" on stderr; the logpoint's lines go to stdout.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
    exit(2);
}

// The load base of the program: the start of the first mapping of the executable in /proc/PID/maps.
static uint64_t load_base(pid_t pid) {
    char path[64], exe[4096], line[4096 + 128];
    snprintf(path, sizeof path, "/proc/%d/exe", pid);
    ssize_t n = readlink(path, exe, sizeof exe - 1);
    if (n < 0) die("readlink /proc/PID/exe");
    exe[n] = 0;
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    FILE *maps = fopen(path, "r");
    if (!maps) die("open /proc/PID/maps");
    uint64_t base = 0;
    while (fgets(line, sizeof line, maps)) {
        char *name = strchr(line, '/');
        if (name && strncmp(name, exe, (size_t)n) == 0 && (name[n] == '\n' || name[n] == 0)) {
            base = strtoull(line, NULL, 16);
            break;
        }
    }
    fclose(maps);
    if (!base) { fprintf(stderr, "floor: %s is not mapped\n", exe); exit(2); }
    return base;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: floor condition|hitcount|logpoint OFFSET PROGRAM [ARGS...]\n");
        return 2;
    }
    const char *mode = argv[1];
    int condition = strcmp(mode, "condition") == 0, hitcount = strcmp(mode, "hitcount") == 0, logpoint = strcmp(mode, "logpoint") == 0;
    if (!condition && !hitcount && !logpoint) { fprintf(stderr, "floor: unknown mode %s\n", mode); return 2; }
    uint64_t offset = strtoull(argv[2], NULL, 16);

    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0) die("PTRACE_TRACEME");
        execv(argv[3], argv + 3);
        die("execv");
    }
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFSTOPPED(status)) die("waitpid after exec");
    ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL);

    uint64_t at = load_base(pid) + offset;
    errno = 0;
    long original = ptrace(PTRACE_PEEKTEXT, pid, (void *)at, 0);
    if (errno) die("PTRACE_PEEKTEXT");
    long patched = (original & ~0xffL) | 0xcc;
    if (ptrace(PTRACE_POKETEXT, pid, (void *)at, (void *)patched) < 0) die("PTRACE_POKETEXT");

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long hits = 0, stops = 0;
    ptrace(PTRACE_CONT, pid, 0, 0);
    for (;;) {
        if (waitpid(pid, &status, 0) < 0) die("waitpid");
        if (WIFEXITED(status) || WIFSIGNALED(status)) break;
        int sig = WSTOPSIG(status);
        if (sig != SIGTRAP) { ptrace(PTRACE_CONT, pid, 0, (void *)(long)sig); continue; }
        struct user_regs_struct regs;
        if (ptrace(PTRACE_GETREGS, pid, 0, &regs) < 0) die("PTRACE_GETREGS");
        if (regs.rip - 1 != at) { ptrace(PTRACE_CONT, pid, 0, 0); continue; }
        hits++;
        int stop = 0;
        if (condition) stop = (long)regs.rdi == -1;
        else if (hitcount) stop = hits == (1L << 62);
        else printf("x=%ld\n", (long)regs.rdi);
        if (stop) stops++;
        // Over the breakpoint: the original byte back, rip back onto it, one step, the int3 again.
        regs.rip = at;
        if (ptrace(PTRACE_SETREGS, pid, 0, &regs) < 0) die("PTRACE_SETREGS");
        if (ptrace(PTRACE_POKETEXT, pid, (void *)at, (void *)original) < 0) die("PTRACE_POKETEXT");
        if (ptrace(PTRACE_SINGLESTEP, pid, 0, 0) < 0) die("PTRACE_SINGLESTEP");
        if (waitpid(pid, &status, 0) < 0) die("waitpid after step");
        if (!WIFSTOPPED(status)) break;
        if (ptrace(PTRACE_POKETEXT, pid, (void *)at, (void *)patched) < 0) die("PTRACE_POKETEXT");
        ptrace(PTRACE_CONT, pid, 0, 0);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fflush(stdout);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(stderr, "floor %s: %ld hits in %.3f s = %.0f hits/s (%ld would stop)\n", mode, hits, s, hits / s, stops);
    return 0;
}
