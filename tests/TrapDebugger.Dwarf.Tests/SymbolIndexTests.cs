using TrapDebugger.TestSupport;

namespace TrapDebugger.Dwarf.Tests;

/// <summary>The questions the engine asks: trap-message inline frames, qualified names, file:line and scopes, checked against llvm-dwarfdump.</summary>
public sealed class SymbolIndexTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("clang22-O0")]
    [InlineData("clang22-O2")]
    [InlineData("clang19-O0")]
    public void VerboseTrapShowsTheTrapMessageFrameWithItsCallSite(string variant)
    {
        var binary = TestBinaries.Path($"verbose_trap/{variant}");
        using var index = SymbolIndex.Open(binary);
        var get = Assert.Single(index.FindFunctions("get"), m => !m.IsInlined);
        // The trap-message DIE is inlined at the ud2; find it by walking the function's addresses.
        InlineFrame? trapFrame = null;
        ulong trapAddress = 0;
        foreach (var range in get.Ranges)
            for (ulong a = range.Low; a < range.High && trapFrame == null; a++)
                if (index.Lookup(a).Frames is { Count: > 1 } frames && frames[0].Name!.StartsWith("__clang_trap_msg$", StringComparison.Ordinal))
                    (trapFrame, trapAddress) = (frames[0], a);
        Assert.NotNull(trapFrame);
        Assert.Equal("__clang_trap_msg$Bounds check$index out of range", trapFrame.Name);
        Assert.True(trapFrame.IsInlined);
        Assert.EndsWith("verbose_trap.c", trapFrame.CallSite!.File);
        Assert.Equal(8u, trapFrame.CallSite.Line);
        var lookup = index.Lookup(trapAddress);
        Assert.Equal("get", lookup.Function!.Name);
        Assert.Equal(trapFrame.CallSite, lookup.Frames[1].Location);
        // The same answer llvm-dwarfdump gives for the inlined DIE.
        var dump = Toolchain.Run(Toolchain.LlvmDwarfdump, [$"--lookup=0x{trapAddress:x}", binary]).Stdout;
        Assert.Contains("__clang_trap_msg$Bounds check$index out of range", dump);
        Assert.Contains($"DW_AT_call_line\t({trapFrame.CallSite.Line})", dump);
        Assert.Contains($"DW_AT_call_column\t({trapFrame.CallSite.Column})", dump);
        output.WriteLine($"{variant}: trap at 0x{trapAddress:x}: {trapFrame.Name} called at {trapFrame.CallSite}");
    }

    [Theory]
    [InlineData("cxx/clang22-O0")]
    [InlineData("cxx/gcc-O0")]
    public void QualifiedAndMangledNamesFindTheSameFunction(string name)
    {
        using var index = SymbolIndex.Open(TestBinaries.Path(name));
        var qualified = index.FindFunctions("geometry::Box<int>::scaled");
        var plain = index.FindFunctions("scaled");
        Assert.NotEmpty(qualified);
        Assert.All(qualified, m => Assert.Equal("geometry::Box<int>::scaled", m.QualifiedName));
        Assert.Contains(plain, m => m.QualifiedName == "geometry::Box<double>::scaled" || m.IsInlined);
        var mangled = qualified.First(m => m.LinkageName != null).LinkageName!;
        Assert.Equal(qualified.Select(m => m.EntryAddress).Order(), index.FindFunctions(mangled).Select(m => m.EntryAddress).Order());
        Assert.Contains(index.FindFunctions("geometry::(anonymous namespace)::helper").Concat(index.FindFunctions("helper")), m => m.QualifiedName == "geometry::(anonymous namespace)::helper");
    }

    [Theory]
    [InlineData("c/clang22-O0")]
    [InlineData("c/gcc-O0")]
    public void LineLookupFindsIsStmtRowsAndTheNextLineWithCode(string name)
    {
        using var index = SymbolIndex.Open(TestBinaries.Path(name));
        // Line 10 ("int total = 0;") has code; line 4 (a struct declaration) has none, so the next line with code answers.
        var exact = index.FindLine("points.c", 10);
        Assert.NotEmpty(exact);
        Assert.All(exact, m => Assert.Equal(10u, m.Location.Line));
        Assert.All(exact, m => Assert.Equal(10u, index.Lookup(m.Address).Row!.Value.Line));
        var next = index.FindLine("points.c", 4);
        Assert.NotEmpty(next);
        Assert.All(next, m => Assert.True(m.Location.Line > 4));
        Assert.Empty(index.FindLine("no_such_file.c", 10));
    }

    [Fact]
    public void ScopesExposeParametersAndVariablesWithRawLocations()
    {
        using var index = SymbolIndex.Open(TestBinaries.Path("c/clang22-O0"));
        var fill = Assert.Single(index.FindFunctions("fill"));
        var line = index.FindLine("points.c", 13).First();
        var scopes = index.ScopesAt(line.Address);
        Assert.Equal(DwarfTag.LexicalBlock, scopes[0].Tag);
        Assert.Equal(fill.Die, scopes[^1]);
        var all = scopes.SelectMany(SymbolIndex.VariablesOf).ToList();
        Assert.Contains(all, v => v.Name == "n" && v.IsParameter && v.Location is { Form: DwarfForm.Exprloc });
        Assert.Contains(all, v => v.Name == "p" && !v.IsParameter && v.Location!.Value.AsBytes().Length > 0);
        Assert.Contains(all, v => v.Name == "total");
    }

    [Fact]
    public void ElfOnlyAddressesStillGetAFunction()
    {
        var stripped = Path.Combine(Directory.CreateTempSubdirectory("trapdbg-strip-").FullName, "verbose_trap");
        var r = Toolchain.Run("/usr/bin/llvm-objcopy-22", ["--strip-debug", TestBinaries.Path("verbose_trap/clang22-O0"), stripped]);
        Assert.Equal(0, r.ExitCode);
        using var index = SymbolIndex.Open(stripped, new Elf.DebugFileLocator([], []));
        Assert.Empty(index.Dwarf.Units);
        var main = Assert.Single(index.FindFunctions("main"));
        Assert.Null(main.Die);
        var frames = index.Symbolize(main.EntryAddress + 4);
        Assert.Equal("main", Assert.Single(frames).FunctionName);
        Assert.Null(frames[0].File);
        Assert.Equal(LlvmReference.Addr2Line(stripped, [main.EntryAddress + 4])[main.EntryAddress + 4], LlvmReference.Format(frames));
    }
}
