using TrapDebugger.TestSupport;

namespace TrapDebugger.Native.Tests;

/// <summary>Small C debuggees compiled at test time, each written to exercise one part of the tracer.</summary>
internal static class Programs
{
    /// <summary>Prints its arguments, an environment variable and its working directory, reads a line from stdin,
    /// and exits with the code given as the first argument.</summary>
    public const string EchoSource = """
        #include <stdio.h>
        #include <stdlib.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            char cwd[4096], line[256] = "";
            for (int i = 1; i < argc; i++) printf("arg%d=%s\n", i, argv[i]);
            printf("env=%s\n", getenv("TRAPDBG_TEST_VALUE") ? getenv("TRAPDBG_TEST_VALUE") : "(unset)");
            printf("cwd=%s\n", getcwd(cwd, sizeof cwd));
            if (fgets(line, sizeof line, stdin)) printf("stdin=%s", line);
            fprintf(stderr, "to-stderr\n");
            fflush(stdout);
            return argc > 1 ? atoi(argv[1]) : 0;
        }
        """;

    /// <summary>Calls the non-inlined function f(x) with x = 0..n-1 and exits with the low byte of the sum.</summary>
    public const string HotLoopSource = """
        #include <stdlib.h>
        volatile long sum;
        __attribute__((noinline)) void f(long x) { sum += x; __asm__ volatile("" ::: "memory"); }
        int main(int argc, char **argv) {
            long n = argc > 1 ? atol(argv[1]) : 1000;
            for (long i = 0; i < n; i++) f(i);
            return (int)(sum & 0x7f);
        }
        """;

    /// <summary>32 threads (plus main) that each call hit(i) forever with a short sleep between calls, so breakpoints
    /// there fire concurrently; each also bumps its own counter so a test can see every thread make progress.</summary>
    public const string ThreadsSource = """
        #include <pthread.h>
        #include <stdlib.h>
        #include <unistd.h>
        #define N 32
        volatile unsigned long counters[N];
        volatile int go;
        __attribute__((noinline)) void hit(int i) { counters[i]++; __asm__ volatile("" ::: "memory"); }
        static void *worker(void *arg) {
            int i = (int)(long)arg;
            while (!go) usleep(100);
            for (;;) { hit(i); usleep(50); }
            return 0;
        }
        int main(int argc, char **argv) {
            pthread_t t[N];
            for (int i = 0; i < N; i++) pthread_create(&t[i], 0, worker, (void *)(long)i);
            go = 1;
            int seconds = argc > 1 ? atoi(argv[1]) : 120;
            sleep(seconds);
            return 0;
        }
        """;

    /// <summary>Executes ud2 in function trap_here (SIGILL, ILL_ILLOPN, si_addr = the ud2) when given "ud2", calls abort()
    /// when given "abort", raises SIGSEGV on a null read with "null", and otherwise exits 42.</summary>
    public const string CrashSource = """
        #include <stdlib.h>
        #include <string.h>
        __attribute__((noinline)) void trap_here(void) { __builtin_trap(); }
        int main(int argc, char **argv) {
            if (argc > 1 && strcmp(argv[1], "ud2") == 0) trap_here();
            if (argc > 1 && strcmp(argv[1], "abort") == 0) abort();
            if (argc > 1 && strcmp(argv[1], "null") == 0) return *(volatile int *)0;
            return 42;
        }
        """;

    /// <summary>Thread "writer" stores to the 8-byte global watched_value once, after a short start; main joins it.</summary>
    public const string WatchSource = """
        #include <pthread.h>
        #include <unistd.h>
        volatile long watched_value;
        volatile long other_value;
        static void *writer(void *arg) { (void)arg; other_value = 1; watched_value = 0x1234; return 0; }
        int main(void) {
            pthread_t t;
            pthread_create(&t, 0, writer, 0);
            pthread_join(t, 0);
            return (int)(watched_value & 0x7f);
        }
        """;

    /// <summary>A service: four threads bump a shared counter in a loop with short sleeps, until killed or the
    /// duration (ms, first argument) ends.</summary>
    public const string ServiceSource = """
        #include <pthread.h>
        #include <stdlib.h>
        #include <unistd.h>
        volatile unsigned long served;
        __attribute__((noinline)) void serve(void) { __atomic_fetch_add(&served, 1, __ATOMIC_RELAXED); }
        static void *worker(void *arg) { (void)arg; for (;;) { serve(); usleep(200); } return 0; }
        int main(int argc, char **argv) {
            long ms = argc > 1 ? atol(argv[1]) : 60000;
            pthread_t t[4];
            for (int i = 0; i < 4; i++) pthread_create(&t[i], 0, worker, 0);
            usleep(ms * 1000);
            return 0;
        }
        """;

    /// <summary>Thread "reader" reads the pipe one byte at a time through a raw read(2) whose syscall instruction is
    /// the global symbol read_syscall; main writes the number of bytes given as the first argument (one every 5 ms,
    /// so the reader mostly blocks in that instruction until main runs), closes the pipe and exits with the number
    /// of bytes the reader got.</summary>
    public const string BlockingReadSource = """
        #include <pthread.h>
        #include <stdlib.h>
        #include <unistd.h>
        static int fds[2];
        static volatile long got;
        __attribute__((noinline)) long raw_read(long fd, void *buf, long n) {
            long r;
            __asm__ volatile(".globl read_syscall\nread_syscall: syscall"
                             : "=a"(r) : "a"(0L), "D"(fd), "S"(buf), "d"(n) : "rcx", "r11", "memory");
            return r;
        }
        static void *reader(void *arg) {
            (void)arg;
            char c;
            while (raw_read(fds[0], &c, 1) == 1) got++;
            return 0;
        }
        int main(int argc, char **argv) {
            int n = argc > 1 ? atoi(argv[1]) : 10;
            pthread_t t;
            if (pipe(fds) != 0) return 100;
            pthread_create(&t, 0, reader, 0);
            for (int i = 0; i < n; i++) { usleep(5000); if (write(fds[1], "x", 1) != 1) return 101; }
            close(fds[1]);
            pthread_join(t, 0);
            return (int)got;
        }
        """;

    public static string Build(string source, string name, params string[] flags) =>
        Fixtures.CompileSource(source, name + ".c", BuildVariant.Clang22O0, ["-pthread", .. flags]);
}
