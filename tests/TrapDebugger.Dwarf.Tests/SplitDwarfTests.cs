namespace TrapDebugger.Dwarf.Tests;

/// <summary>Split DWARF when the .dwo is not where DW_AT_comp_dir says: found next to the program, or missing (then
/// only ELF symbols answer, and the reason is recorded).</summary>
public sealed class SplitDwarfTests(ITestOutputHelper output)
{
    [Fact]
    public void DwoNextToTheProgramIsFoundWhenTheCompilationDirectoryIsGone()
    {
        var moved = TestBinaries.SplitWithMissingCompilationDirectory();
        var reference = TestBinaries.Path("cxx/clang22-O2+split");
        using var index = SymbolIndex.Open(moved);
        using var expected = SymbolIndex.Open(reference);
        Assert.All(index.Dwarf.CompileUnits, u => Assert.NotNull(u.SplitUnit));
        Assert.StartsWith("/nonexistent-trapdbg-build", index.Dwarf.CompileUnits.First().CompilationDirectory, StringComparison.Ordinal);
        // Same source and flags: the code is the same, so every .text address has the same frames (names and lines;
        // the directories differ by construction).
        int compared = 0;
        foreach (var f in expected.Functions().Where(f => f.Die != null))
            for (ulong a = f.EntryAddress; a < f.EntryAddress + 16; a++)
            {
                var ours = index.Symbolize(a).Select(x => $"{x.FunctionName}:{x.Line}:{Path.GetFileName(x.File)}");
                var theirs = expected.Symbolize(a).Select(x => $"{x.FunctionName}:{x.Line}:{Path.GetFileName(x.File)}");
                Assert.Equal(theirs, ours);
                compared++;
            }
        output.WriteLine($"{compared} addresses symbolize alike with the .dwo found next to the program");
        Assert.Contains(index.FindFunctions("compute"), m => m.Die is { } d && d.Unit.Skeleton != null);
        Assert.True(compared > 0);
        foreach (var name in new[] { "compute", "_Z7computei", "geometry::(anonymous namespace)::helper", "clamp" })
        {
            var found = index.FindFunctions(name).Select(m => (m.EntryAddress, m.IsInlined, m.QualifiedName, m.Die != null)).ToList();
            Assert.Equal(expected.FindFunctions(name).Select(m => (m.EntryAddress, m.IsInlined, m.QualifiedName, m.Die != null)), found);
            output.WriteLine($"{name}: {string.Join(", ", found)}");
            Assert.Contains(found, m => m.Item4);
        }
    }

    [Fact]
    public void MissingDwoLeavesElfSymbolsAndSaysWhy()
    {
        var built = TestBinaries.SplitWithMissingCompilationDirectory();
        var dir = Directory.CreateTempSubdirectory("trapdbg-split-missing-");
        try
        {
            var alone = Path.Combine(dir.FullName, "shapes");
            File.Copy(built, alone);
            using var index = SymbolIndex.Open(alone);
            var skeleton = index.Dwarf.CompileUnits.Single();
            Assert.Null(skeleton.SplitUnit);
            var problem = Assert.Single(index.Dwarf.SplitFiles!.Problems);
            output.WriteLine(problem);
            Assert.Contains("shapes.dwo", problem, StringComparison.Ordinal);
            var compute = Assert.Single(index.FindFunctions("_Z7computei"));
            Assert.Null(compute.Die);
            Assert.Equal("_Z7computei", index.Symbolize(compute.EntryAddress)[^1].FunctionName);
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
