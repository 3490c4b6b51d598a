namespace TrapDebugger.TestSupport;

/// <summary>The list of fixtures in tests/fixtures. Add a program here and every test project can build it.</summary>
/// <remarks>Each program takes its choice from argv, so every check it contains can be triggered on its own; the
/// source file's header comment names which input triggers which check.</remarks>
internal static class FixtureCatalog
{
    private const int SIGILL = 4, SIGABRT = 6, SIGSEGV = 11;

    /// <summary>Clang 22 and Clang 19 (whose verbose-trap encoding is older), each unoptimized and at -O2.</summary>
    private static readonly BuildVariant[] ClangBoth = [BuildVariant.Clang22O0, BuildVariant.Clang22O2, BuildVariant.Clang19O0, BuildVariant.Clang19O2];

    private static readonly BuildVariant[] Clang22 = [BuildVariant.Clang22O0, BuildVariant.Clang22O2];

    /// <summary>Both Clangs and GCC as a second DWARF producer, for programs that need no Clang-only builtin.</summary>
    private static readonly BuildVariant[] AllCompilers = [.. ClangBoth, BuildVariant.GccO0, BuildVariant.GccO2];

    private static readonly BuildVariant[] Clang22AndGcc = [.. Clang22, BuildVariant.GccO0, BuildVariant.GccO2];

    private static readonly BuildVariant[] Rust = [BuildVariant.RustcDebug, BuildVariant.RustcRelease];

    private static readonly BuildVariant[] Gcc = [BuildVariant.GccO0, BuildVariant.GccO2];

    private const int SIGFPE = 8;

    /// <summary>The ways cxx_uncaught.cpp lets an exception escape; each ends in std::terminate and SIGABRT.</summary>
    private static readonly FixtureRun[] UncaughtRuns =
    [
        new(["ok"], ExpectedEnd.Exit(0), "best price"),
        new(["at"], ExpectedEnd.Killed(SIGABRT), "std::out_of_range from vector::at"),
        new(["runtime"], ExpectedEnd.Killed(SIGABRT), "std::runtime_error"),
        new(["custom"], ExpectedEnd.Killed(SIGABRT), "book_error derived from std::runtime_error"),
        new(["int"], ExpectedEnd.Killed(SIGABRT), "throw 42"),
        new(["noexcept"], ExpectedEnd.Killed(SIGABRT), "std::logic_error escaping a noexcept function"),
    ];

    private static readonly string[] UbsanTrapFlags =
        ["-fsanitize=signed-integer-overflow,array-bounds,shift,integer-divide-by-zero", "-fsanitize-trap=all"];

    /// <summary>The checks of ubsan_trap.c, one run per check; each must trap with SIGILL.</summary>
    private static readonly FixtureRun[] UbsanRuns =
    [
        new(["add", "1", "2"], ExpectedEnd.Exit(0), "no overflow"),
        new(["add", "2147483647", "1"], ExpectedEnd.Killed(SIGILL), "signed add overflow"),
        new(["sub", "-2147483648", "1"], ExpectedEnd.Killed(SIGILL), "signed sub overflow"),
        new(["mul", "65536", "65536"], ExpectedEnd.Killed(SIGILL), "signed mul overflow"),
        new(["index", "0", "12"], ExpectedEnd.Killed(SIGILL), "array index out of bounds"),
        new(["shl", "1", "40"], ExpectedEnd.Killed(SIGILL), "shift exponent too large"),
        new(["div", "7", "0"], ExpectedEnd.Killed(SIGILL), "integer division by zero"),
    ];

    public static readonly IReadOnlyList<FixtureDefinition> All =
    [
        new("verbose_trap", FixtureLanguage.C, ["verbose_trap.c"], [], ClangBoth,
            [
                new(["1"], ExpectedEnd.Exit(0), "index 1 is in range"),
                new(["5"], ExpectedEnd.Killed(SIGILL), "index 5 is out of range"),
            ])
        {
            Purpose = "one __builtin_verbose_trap with a category and a message",
        },

        new("verbose_trap_multi", FixtureLanguage.C, ["verbose_trap_multi.c"], [], ClangBoth,
            [
                new(["ok"], ExpectedEnd.Exit(0), "every check passes"),
                new(["null"], ExpectedEnd.Killed(SIGILL), "null check"),
                new(["bounds"], ExpectedEnd.Killed(SIGILL), "bounds check"),
                new(["state"], ExpectedEnd.Killed(SIGILL), "state check"),
                new(["amount"], ExpectedEnd.Killed(SIGILL), "check inlined from require_positive"),
                new(["funds"], ExpectedEnd.Killed(SIGILL), "insufficient funds check"),
            ])
        {
            Purpose = "five verbose traps in one function, merged into one ud2 at -O2",
        },

        new("builtin_trap", FixtureLanguage.C, ["builtin_trap.c"], [], AllCompilers,
            [
                new(["2"], ExpectedEnd.Exit(0), "known opcode"),
                new(["9"], ExpectedEnd.Killed(SIGILL), "__builtin_trap in the default case"),
            ])
        {
            Purpose = "a plain __builtin_trap (bare ud2, no message)",
        },

        new("ubsan_trap", FixtureLanguage.C, ["ubsan_trap.c"], [], ClangBoth, UbsanRuns)
        {
            ClangOnlyFlags = UbsanTrapFlags,
            Clang22OnlyFlags = ["-fsanitize-debug-trap-reasons=none"],
            Purpose = "UBSan trap mode without trap reasons: each check is a ud1 carrying the handler ordinal",
        },

        new("ubsan_trap_reasons", FixtureLanguage.C, ["ubsan_trap.c"], [], Clang22, UbsanRuns)
        {
            ClangOnlyFlags = UbsanTrapFlags,
            Clang22OnlyFlags = ["-fsanitize-debug-trap-reasons=detailed"],
            Purpose = "UBSan trap mode with trap reasons: each check also has a __clang_trap_msg frame",
        },

        new("libcxx_hardened", FixtureLanguage.Cxx, ["libcxx_hardened.cpp"],
            ["-std=c++20", "-stdlib=libc++", "-D_LIBCPP_HARDENING_MODE=_LIBCPP_HARDENING_MODE_EXTENSIVE"], Clang22,
            [
                new(["vector", "2"], ExpectedEnd.Exit(0), "index in range"),
                new(["vector", "10"], ExpectedEnd.Killed(SIGILL), "std::vector operator[] out of bounds"),
                new(["span", "10"], ExpectedEnd.Killed(SIGILL), "std::span operator[] out of range"),
                new(["front"], ExpectedEnd.Killed(SIGILL), "front() on an empty vector"),
            ])
        {
            // The rpath lets the program find Clang 22's libc++.so.1, which is not in the default library path.
            LinkFlags = ["-Wl,-rpath,/usr/lib/llvm-22/lib"],
            Purpose = "libc++ hardening assertions (category libc++)",
        },

        new("assert_fail", FixtureLanguage.C, ["assert_fail.c"], [], AllCompilers,
            [
                new(["16"], ExpectedEnd.Exit(0), "header accepted"),
                new(["100"], ExpectedEnd.Killed(SIGABRT), "payload length assertion"),
                new(["16", "0x1234"], ExpectedEnd.Killed(SIGABRT), "magic assertion"),
            ])
        {
            Purpose = "a failing assert(): SIGABRT with the text in glibc's __abort_msg",
        },

        new("null_field", FixtureLanguage.C, ["null_field.c"], [], AllCompilers,
            [
                new(["alice"], ExpectedEnd.Exit(0), "known user"),
                new(["mallory"], ExpectedEnd.Killed(SIGSEGV), "read of NULL->uid at offset 8"),
            ])
        {
            Purpose = "a read of the field at offset 8 through a NULL struct pointer",
        },

        new("anti_debug", FixtureLanguage.C, ["anti_debug.c"], [], [BuildVariant.Clang22O0, BuildVariant.GccO2],
            [
                new([], ExpectedEnd.Exit(0), "not traced: ptrace(PTRACE_TRACEME) succeeds"),
                new(["syscall"], ExpectedEnd.Exit(0), "not traced: syscall(SYS_ptrace, PTRACE_TRACEME) succeeds"),
                new(["kill"], ExpectedEnd.Exit(0), "not traced: it would kill itself with SIGKILL under a debugger"),
                new(["abort"], ExpectedEnd.Exit(0), "not traced: it would abort under a debugger"),
            ])
        {
            Purpose = "a program that checks for a debugger with ptrace(PTRACE_TRACEME) and exits with status 3 under one (or kills itself, or aborts)",
        },

        new("forker", FixtureLanguage.C, ["forker.c"], [], [BuildVariant.Clang22O0, BuildVariant.GccO0],
            [
                new(["exit"], ExpectedEnd.Exit(0), "a fork child exits 7"),
                new(["crash"], ExpectedEnd.Exit(0), "a fork child dies of SIGSEGV; the parent reports it and exits 0"),
                new(["exec"], ExpectedEnd.Exit(0), "a fork child executes /bin/true"),
                new(["vfork"], ExpectedEnd.Exit(0), "a vfork child runs in its parent's memory and exits 3"),
                new(["spawn"], ExpectedEnd.Exit(0), "posix_spawn of /bin/true"),
                new(["many", "5"], ExpectedEnd.Exit(0), "five fork children"),
                new(["parent-crash"], ExpectedEnd.Killed(SIGSEGV), "a child exits, then the parent reads through NULL"),
            ])
        {
            Purpose = "a program that makes processes (fork, vfork, posix_spawn, exec in a child) and reports how each child ended",
        },

        new("threads32", FixtureLanguage.C, ["threads32.c"], ["-pthread"], AllCompilers,
            [
                new([], ExpectedEnd.Exit(0), "all 32 workers finish"),
                new(["trap"], ExpectedEnd.Killed(SIGILL), "worker 17 traps while 31 threads are alive"),
                new(["trap", "3"], ExpectedEnd.Killed(SIGILL), "worker 3 traps"),
            ])
        {
            Purpose = "32 worker threads, one of which traps on demand",
        },

        new("shlib_trap", FixtureLanguage.C, ["shlib_trap_main.c"], [], ClangBoth,
            [
                new(["3", "3"], ExpectedEnd.Exit(0), "balanced pushes and pops"),
                new(["2", "3"], ExpectedEnd.Killed(SIGILL), "pop from an empty queue, inside the library"),
                new(["40", "0"], ExpectedEnd.Killed(SIGILL), "push onto a full queue, inside the library"),
            ])
        {
            LibrarySources = ["shlib_trap_lib.c"],
            Purpose = "a verbose trap that fires inside a shared library",
        },

        new("service", FixtureLanguage.C, ["service.c"], ["-pthread"], Clang22AndGcc,
            [
                new(["200"], ExpectedEnd.Exit(0), "runs 200 ms and exits"),
                new(["60000", "--trap-after", "10"], ExpectedEnd.Killed(SIGILL), "request 10 fails its state check"),
                new(["60000", "--trap-file", "/"], ExpectedEnd.Killed(SIGILL), "the trap file already exists"),
            ])
        {
            Purpose = "a long-running multi-threaded loop with a hot function; traps on SIGUSR1, a file, or a request count",
        },

        new("cxx_program", FixtureLanguage.Cxx, ["cxx_program.cpp"], ["-std=c++20"], AllCompilers,
            [
                new([], ExpectedEnd.Exit(0), "walks 5 bins"),
                new(["200"], ExpectedEnd.Exit(0), "a 200-frame recursion"),
                new(["5", "trap"], ExpectedEnd.Killed(SIGILL), "verbose trap in Inventory<Item>::checked_get"),
            ])
        {
            Purpose = "C++ namespaces, classes, templates, bit fields, std containers, recursion, a trap in a template",
        },

        new("rust_abort", FixtureLanguage.Rust, ["rust_abort.rs"], ["-C", "panic=abort"], Rust,
            [
                new(["ok"], ExpectedEnd.Exit(0), "job runs"),
                new(["abort"], ExpectedEnd.Killed(SIGABRT), "std::process::abort"),
                new(["panic"], ExpectedEnd.Killed(SIGABRT), "panic! with panic=abort"),
                new(["index", "9"], ExpectedEnd.Killed(SIGABRT), "index out of bounds with panic=abort"),
            ])
        {
            Purpose = "Rust ending in SIGABRT: process::abort and panics under panic=abort",
        },

        new("cxx_uncaught", FixtureLanguage.Cxx, ["cxx_uncaught.cpp"], ["-std=c++17"], AllCompilers, UncaughtRuns)
        {
            Purpose = "C++ exceptions nobody catches, with libstdc++ (g++ and clang++)",
        },

        new("cxx_uncaught_libcxx", FixtureLanguage.Cxx, ["cxx_uncaught.cpp"], ["-std=c++17", "-stdlib=libc++"], Clang22, UncaughtRuns)
        {
            LinkFlags = ["-Wl,-rpath,/usr/lib/llvm-22/lib"],
            Purpose = "C++ exceptions nobody catches, with libc++ and libc++abi",
        },

        new("null_call", FixtureLanguage.C, ["null_call.c"], [], AllCompilers,
            [
                new(["ok"], ExpectedEnd.Exit(0), "flushes"),
                new(["flush"], ExpectedEnd.Killed(SIGSEGV), "c->ops->flush is NULL"),
                new(["hook"], ExpectedEnd.Killed(SIGSEGV), "weak undefined hook"),
            ])
        {
            Purpose = "calls through a null member of an operations table and through a weak undefined function",
        },

        new("gcc_checks", FixtureLanguage.C, ["gcc_checks.c"], ["-fsanitize=undefined", "-fsanitize-undefined-trap-on-error"], Gcc,
            [
                new(["ok", "3", "4"], ExpectedEnd.Exit(0), "statistics"),
                new(["mul", "65536", "65536"], ExpectedEnd.Killed(SIGILL), "signed multiplication overflow"),
                new(["add", "2147483647", "1"], ExpectedEnd.Killed(SIGILL), "signed addition overflow"),
                new(["shift", "1", "40"], ExpectedEnd.Killed(SIGILL), "shift exponent too large"),
                new(["index", "1", "9"], ExpectedEnd.Killed(SIGILL), "slot index out of bounds"),
                new(["nullmul", "3", "4"], ExpectedEnd.Killed(SIGILL), "null worker pointer"),
            ])
        {
            Purpose = "GCC's UBSan in trap mode: bare ud2 traps with no check kind, merged at -O2",
        },

        new("divisor_field", FixtureLanguage.C, ["gcc_checks.c"], [], AllCompilers,
            [
                new(["div", "5", "2"], ExpectedEnd.Exit(0), "divides"),
                new(["div", "5", "0"], ExpectedEnd.Killed(SIGFPE), "w->requests is 0"),
            ])
        {
            Purpose = "an integer division whose divisor is a struct field",
        },

        new("stack_overflow", FixtureLanguage.C, ["stack_overflow.c"], [], AllCompilers,
            [
                new(["ok"], ExpectedEnd.Exit(0), "1,000 frames"),
                new(["deep"], ExpectedEnd.Killed(SIGSEGV), "the stack overflows after about 100,000 frames"),
            ])
        {
            Purpose = "unbounded recursion that overflows the stack",
        },

        new("double_free", FixtureLanguage.C, ["double_free.c"], [], AllCompilers,
            [
                new(["once"], ExpectedEnd.Exit(0), "one release"),
                new(["twice"], ExpectedEnd.Killed(SIGABRT), "glibc detects the double free and aborts"),
            ])
        {
            Purpose = "an abort raised inside the C library (malloc_printerr) on behalf of the program",
        },

        new("handled_segv", FixtureLanguage.C, ["handled_segv.c"], [], AllCompilers,
            [
                new(["probe"], ExpectedEnd.Exit(0), "the handler recovers from the fault"),
                new(["crash"], ExpectedEnd.Killed(SIGSEGV), "no handler"),
            ])
        {
            Purpose = "a program that handles SIGSEGV itself and recovers",
        },

        new("rust_panic_v0", FixtureLanguage.Rust, ["rust_abort.rs"], ["-C", "symbol-mangling-version=v0"], Rust,
            [
                new(["ok"], ExpectedEnd.Exit(0), "job runs"),
                new(["index", "9"], ExpectedEnd.Exit(101), "index out of bounds unwinds and exits 101"),
                new(["unwrap"], ExpectedEnd.Exit(101), "unwrap on None"),
            ])
        {
            Purpose = "Rust with v0 symbol mangling and default unwinding",
        },

        new("rust_values", FixtureLanguage.Rust, ["rust_values.rs"], [], Rust,
            [
                new(["values"], ExpectedEnd.Exit(0), "builds every value and inspects some"),
                new(["print"], ExpectedEnd.Exit(0), "prints every value with {:?}"),
                new(["big", "100"], ExpectedEnd.Exit(0), "a Vec<String> and a HashMap of 100 entries"),
            ])
        {
            Purpose = "Rust standard library values: String, Vec, slices, Option/Result, enums, Box, Rc/Arc, HashMap, BTreeMap, cells, tuples",
        },

        new("cxx_values", FixtureLanguage.Cxx, ["cxx_values.cpp"], ["-std=c++20"], Clang22AndGcc,
            [
                new(["values"], ExpectedEnd.Exit(0), "builds every value and inspects some"),
                new(["big", "100"], ExpectedEnd.Exit(0), "a vector<string> and a map of 100 entries"),
            ])
        {
            Purpose = "C++ standard library values with libstdc++: maps, sets, unordered containers, smart pointers, optional, variant, deque, list, array, span",
        },

        new("cxx_values_libcxx", FixtureLanguage.Cxx, ["cxx_values.cpp"], ["-std=c++20", "-stdlib=libc++"], Clang22,
            [
                new(["values"], ExpectedEnd.Exit(0), "builds every value and inspects some"),
                new(["big", "100"], ExpectedEnd.Exit(0), "a vector<string> and a map of 100 entries"),
            ])
        {
            LinkFlags = ["-Wl,-rpath,/usr/lib/llvm-22/lib"],
            Purpose = "the same C++ values with libc++",
        },

        new("calls", FixtureLanguage.C, ["calls.c"], [], Clang22AndGcc,
            [
                new([], ExpectedEnd.Exit(0), "stops nowhere without a debugger"),
                new(["5"], ExpectedEnd.Exit(0), "seed 5"),
            ])
        {
            Purpose = "functions called from expressions: register and stack arguments, struct returns, a crash, an endless loop",
        },

        new("rust_panic", FixtureLanguage.Rust, ["rust_abort.rs"], [], Rust,
            [
                new(["ok"], ExpectedEnd.Exit(0), "job runs"),
                new(["index", "9"], ExpectedEnd.Exit(101), "index out of bounds unwinds and exits 101"),
                new(["abort"], ExpectedEnd.Killed(SIGABRT), "std::process::abort"),
            ])
        {
            Purpose = "Rust with default unwinding: an index panic exits 101",
        },
    ];
}
