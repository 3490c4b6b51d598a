using System.Collections.Concurrent;

namespace TrapDebugger.TestSupport;

/// <summary>The crashes whose cores the tests read and write: trap fixtures at -O0/-O2 from clang-22 and gcc (verbose, merged,
/// plain, UBSan, libc++ hardening), the 32-thread program, a shared-library crash, an assert, a NULL dereference and a Rust
/// panic under panic=abort; written by the kernel and by gdb.</summary>
public static class CoreCatalog
{
    private static readonly ConcurrentDictionary<string, Lazy<GdbCoreView>> GdbViews = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, Lazy<LldbCoreView>> LldbViews = new(StringComparer.Ordinal);

    /// <summary>One crash: a case id ("fixture variant producer args") and how to reproduce it.</summary>
    public sealed record Case(string Fixture, BuildVariant Variant, CoreProducer Producer, params string[] Arguments)
    {
        /// <summary>The id used as a test case name.</summary>
        public string Id => $"{Fixture} {Variant} {Producer.ToString().ToLowerInvariant()} {string.Join(' ', Arguments)}".Trim();
    }

    /// <summary>Every case.</summary>
    public static IReadOnlyList<Case> Cases { get; } =
    [
        new("verbose_trap_multi", BuildVariant.Clang22O0, CoreProducer.Kernel, "bounds"),
        new("verbose_trap_multi", BuildVariant.Clang22O2, CoreProducer.Kernel, "funds"),
        new("builtin_trap", BuildVariant.GccO0, CoreProducer.Kernel, "9"),
        new("builtin_trap", BuildVariant.GccO2, CoreProducer.Kernel, "9"),
        new("ubsan_trap", BuildVariant.Clang22O2, CoreProducer.Kernel, "mul", "65536", "65536"),
        new("libcxx_hardened", BuildVariant.Clang22O2, CoreProducer.Kernel, "vector", "10"),
        new("threads32", BuildVariant.Clang22O2, CoreProducer.Kernel, "trap"),
        new("threads32", BuildVariant.GccO0, CoreProducer.Gdb, "trap", "3"),
        new("shlib_trap", BuildVariant.Clang22O0, CoreProducer.Kernel, "2", "3"),
        new("shlib_trap", BuildVariant.Clang22O2, CoreProducer.Gdb, "40", "0"),
        new("assert_fail", BuildVariant.GccO2, CoreProducer.Kernel, "100"),
        new("null_field", BuildVariant.Clang22O0, CoreProducer.Kernel, "mallory"),
        new("rust_abort", BuildVariant.RustcRelease, CoreProducer.Kernel, "panic"),
    ];

    /// <summary>The case ids, for xUnit theories.</summary>
    public static IEnumerable<string> Ids => Cases.Select(c => c.Id);

    /// <summary>The core of case <paramref name="id"/>, built and produced on first use.</summary>
    public static CoreDump Produce(string id)
    {
        var c = Cases.First(x => x.Id == id);
        return CoreDumps.Produce(Fixtures.Build(c.Fixture, c.Variant), c.Arguments, c.Producer);
    }

    /// <summary>What gdb shows of <paramref name="core"/> (run once per core and program).</summary>
    public static GdbCoreView Gdb(string program, string core) =>
        GdbViews.GetOrAdd(program + "\0" + core, _ => new(() => GdbCoreView.Load(program, core))).Value;

    /// <summary>What lldb shows of <paramref name="core"/> (run once per core and program).</summary>
    public static LldbCoreView Lldb(string program, string core, int threadCount) =>
        LldbViews.GetOrAdd(program + "\0" + core, _ => new(() => LldbCoreView.Load(program, core, threadCount))).Value;
}
