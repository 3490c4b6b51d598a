using TrapDebugger.Cli.Tests.Support;
using TrapDebugger.Dwarf;
using TrapDebugger.Dwarf.Tests;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Cli.Tests.Fuzzing;

/// <summary>What kind of file a seed is, which decides how its mutant is laid out on disk and which commands read it.</summary>
internal enum InputKind
{
    /// <summary>An executable with its DWARF: read by <c>traps</c>, <c>lookup</c>, <c>symbols</c> and, while it still runs, <c>run</c>.</summary>
    Program,

    /// <summary>A split DWARF file (.dwo, or a package .dwp): mutated next to an intact copy of its program, which the commands read.</summary>
    SplitDwarf,

    /// <summary>A core file: mutated and read by <c>trapdbg core</c> with its intact program.</summary>
    Core,
}

/// <summary>One real binary the fuzzer mutates.</summary>
/// <param name="Name">How reports name it (the test binary's name).</param>
/// <param name="Kind">What kind of file it is.</param>
/// <param name="File">The file whose bytes are mutated.</param>
/// <param name="Program">The executable the commands are given: <paramref name="File"/> itself, or the program a split file belongs to.</param>
/// <param name="RunArguments">Arguments that make the program trap, when mutants that still run are run under the debugger.</param>
internal sealed record FuzzSeed(string Name, InputKind Kind, string File, string Program, IReadOnlyList<string>? RunArguments = null)
{
    /// <summary>Addresses, a function name and a FILE:LINE read from the intact binary, for <c>lookup</c> to ask about its mutants.</summary>
    public LookupQuestions Questions { get; } = LookupQuestions.Of(Program);
}

/// <summary>What <c>trapdbg lookup</c> is asked about every mutant of one seed.</summary>
internal sealed record LookupQuestions(IReadOnlyList<string> Addresses, string Name, string? Line)
{
    public static LookupQuestions Of(string program)
    {
        using var index = SymbolIndex.Open(program);
        var functions = index.Functions().Where(f => !f.IsInlined).Take(4).ToList();
        var addresses = functions.SelectMany(f => new[] { f.EntryAddress, f.EntryAddress + 5 }).Select(a => $"0x{a:x}").ToList();
        var main = index.FindFunctions("main").FirstOrDefault();
        var line = main is null ? null : index.Lookup(main.EntryAddress).Line;
        return new LookupQuestions(addresses, "main", line?.File is { } file ? $"{Path.GetFileName(file)}:{line.Line}" : null);
    }
}

/// <summary>The seeds: clang-22 and GCC, -O0 and -O2, C, C++ and Rust, DWARF 4 and 5, DWARF64, a .debug_names index,
/// zlib, zstd and legacy .zdebug compressed sections, split DWARF .dwo and .dwp, core files of the kernel and of gdb. A new
/// kind of input is one more line here
/// (with its <see cref="InputKind"/>).</summary>
internal static class FuzzCorpus
{
    private static readonly Lazy<IReadOnlyList<FuzzSeed>> AllSeeds = new(Build);

    /// <summary>Every seed, built on first use.</summary>
    public static IReadOnlyList<FuzzSeed> Seeds => AllSeeds.Value;

    private static IReadOnlyList<FuzzSeed> Build()
    {
        string verboseTrap = File.ReadAllText(Path.Combine(Repository.FixtureSources, "verbose_trap.c"));
        string builtinTrap = File.ReadAllText(Path.Combine(Repository.FixtureSources, "builtin_trap.c"));
        var split = TestBinaries.SplitWithMissingCompilationDirectory();
        var packed = TestBinaries.Path("cxx/clang22-O2+dwp");
        FuzzSeed[] seeds =
        [
            Runnable("verbose_trap/clang22-O0", Fixtures.Build("verbose_trap", BuildVariant.Clang22O0).Program, "5"),
            Runnable("verbose_trap/clang22-O2", Fixtures.Build("verbose_trap", BuildVariant.Clang22O2).Program, "5"),
            Runnable("verbose_trap/clang22-O2+dwarf4", Fixtures.CompileSource(verboseTrap, "verbose_trap.c", BuildVariant.Clang22O2, "-gdwarf-4"), "5"),
            Runnable("builtin_trap/gcc-O2", Fixtures.Build("builtin_trap", BuildVariant.GccO2).Program, "9"),
            Runnable("builtin_trap/gcc-O0+dwarf4", Fixtures.CompileSource(builtinTrap, "builtin_trap.c", BuildVariant.GccO0, "-gdwarf-4"), "9"),
            Runnable("builtin_trap/clang22-O2+zlib", Fixtures.CompileSource(builtinTrap, "builtin_trap.c", BuildVariant.Clang22O2, "-gz=zlib"), "9"),
            Of("cxx/clang22-O0"), Of("cxx/clang22-O2"), Of("cxx/gcc-O0"), Of("cxx/gcc-O2"), Of("c/gcc-O2"),
            Of("rust/debug"), Of("rust/opt"),
            Of("cxx/clang22-O2+pubnames"), Of("c/clang22-O0+dwarf64"), Of("cxx/gcc-O2+dwarf64"),
            Of("cxx/clang22-O2+zlib"), Of("c/clang22-O0+zstd"), Of("cxx/gcc-O2+zlibgnu"), Of("cxx/gcc-O2+zstdobjcopy"),
            new("cxx/clang22-O2+split .dwo", InputKind.SplitDwarf, Directory.EnumerateFiles(Path.GetDirectoryName(split)!, "*.dwo").Single(), split),
            new("cxx/clang22-O2+dwp .dwp", InputKind.SplitDwarf, packed + ".dwp", packed),
            Core("verbose_trap_multi clang22-O2 kernel funds"), Core("shlib_trap clang22-O2 gdb 40 0"),
        ];
        return seeds;
    }

    private static FuzzSeed Of(string testBinary)
    {
        var path = TestBinaries.Path(testBinary);
        return new FuzzSeed(testBinary, InputKind.Program, path, path);
    }

    // A core of the core tests' catalog: the kernel's notes and PT_LOADs, or gdb's, which also has section headers.
    private static FuzzSeed Core(string id)
    {
        var dump = CoreCatalog.Produce(id);
        return new FuzzSeed($"core of {id}", InputKind.Core, dump.Path, dump.Binary.Program);
    }

    private static FuzzSeed Runnable(string name, string path, params string[] trappingArguments) =>
        new(name, InputKind.Program, path, path, trappingArguments);
}
