namespace TrapDebugger.Dwarf.Tests;

/// <summary>A name query answered by parsing only the units whose strings can name it finds exactly what the whole name index finds.</summary>
public sealed class NameLookupTests(ITestOutputHelper output)
{
    public static IEnumerable<TheoryDataRow<string>> Binaries()
    {
        foreach (var row in TestBinaries.Names())
            yield return row;
        yield return new TheoryDataRow<string>("glibc");
    }

    [Theory]
    [MemberData(nameof(Binaries))]
    public void UnitFilteredQueriesAgreeWithTheWholeIndex(string name)
    {
        string path = name == "glibc" ? TestBinaries.GlibcDebugFile() : TestBinaries.Path(name);
        using var indexed = SymbolIndex.Open(path);
        indexed.IndexAll();
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var unit in indexed.Dwarf.CompileUnits)
            foreach (var die in (unit.SplitUnit ?? unit).Dies)
            {
                if (!die.IsSubroutine || die.Ranges.Count == 0) continue;
                if (die.ShortName is { } s) names.Add(s);
                if (die.LinkageName is { } l) names.Add(l);
                if (SymbolIndex.QualifiedName(die) is { } q) names.Add(q);
            }
        // glibc has tens of thousands of names: a fixed stride keeps the run short and still spans every unit.
        int stride = Math.Max(1, names.Count / 400);
        var sample = names.Where((_, i) => i % stride == 0).Append("no_such_function_anywhere").Append("::").ToList();
        using var filtered = SymbolIndex.Open(path);
        filtered.UseNameIndex = false; // the unit filter is under test here; NameIndexTests checks .debug_names
        int matches = 0;
        foreach (var query in sample)
        {
            var expected = indexed.FindFunctions(query).Select(Key).Order().ToList();
            var actual = filtered.FindFunctions(query).Select(Key).Order().ToList();
            Assert.True(expected.SequenceEqual(actual), $"'{query}': whole index {string.Join(", ", expected)}; filtered {string.Join(", ", actual)}");
            matches += expected.Count;
        }
        int parsed = filtered.Dwarf.CompileUnits.Count(u => u.IsParsed);
        output.WriteLine($"{name}: {sample.Count} of {names.Count} names, {matches} matches agree; {parsed} of {filtered.Dwarf.CompileUnits.Count()} units parsed");
        Assert.True(names.Count > 0, "the binary has no named functions");
    }

    private static string Key(FunctionMatch m) => $"0x{m.EntryAddress:x} {(m.Die is { } d ? d.Offset.ToString("x") : "elf")} {m.IsInlined}";
}
