using System.Globalization;
using TrapDebugger.Elf;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Dwarf.Tests;

/// <summary>.debug_names is read entry for entry as llvm-dwarfdump --debug-names lists it, and name queries answered
/// through it are the ones the unit walk gives without it.</summary>
public sealed class NameIndexTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(TestBinaries.NameIndexed), MemberType = typeof(TestBinaries))]
    public void EveryNameDwarfdumpListsIsFoundWithTheSameDies(string name)
    {
        var path = TestBinaries.Path(name);
        using var elf = ElfFile.Open(path);
        var dwarf = DwarfFile.FromElf(elf);
        var indexes = DwarfNameIndex.ReadAll(dwarf.Sections.Names, dwarf.Sections.Str);
        var expected = DwarfdumpNames(path);
        var ours = new SortedSet<string>(StringComparer.Ordinal);
        int names = 0;
        foreach (var index in indexes)
            for (int i = 0; i < index.NameCount; i++)
            {
                names++;
                string text = index.NameAt(i);
                var entries = index.EntriesAt(i);
                foreach (var e in entries) ours.Add(Row(text, e));
                // The hash table leads to the same entries as the name table (every index that lists the name adds its own).
                var found = index.Find(text);
                Assert.True(entries.All(found.Contains), $"'{text}': Find misses entries of name {i} in the index at 0x{index.Offset:x}");
            }
        output.WriteLine($"{name}: {indexes.Count} name indexes, {names} names, {ours.Count} entries; llvm-dwarfdump lists {expected.Count}");
        Assert.Equal(expected, ours);
        Assert.NotEmpty(ours);
    }

    [Theory]
    [MemberData(nameof(TestBinaries.NameIndexed), MemberType = typeof(TestBinaries))]
    public void LookupsAgreeWithAndWithoutTheIndex(string name)
    {
        var path = TestBinaries.Path(name);
        using var withIndex = SymbolIndex.Open(path);
        using var without = SymbolIndex.Open(path);
        without.UseNameIndex = false;
        Assert.NotNull(withIndex.NameIndexes);
        var queries = new SortedSet<string>(StringComparer.Ordinal) { "no_such_function_anywhere", "::", "geometry::", "main" };
        foreach (var unit in without.Dwarf.CompileUnits)
            foreach (var die in (unit.SplitUnit ?? unit).Dies)
            {
                if (!die.IsSubroutine) continue;
                if (die.ShortName is { } s) queries.Add(s);
                if (die.LinkageName is { } l) queries.Add(l);
                if (SymbolIndex.QualifiedName(die) is { } q) queries.Add(q);
            }
        int matches = 0;
        foreach (var query in queries)
        {
            var expected = without.FindFunctions(query).Select(Key).ToList();
            var actual = withIndex.FindFunctions(query).Select(Key).ToList();
            Assert.True(expected.SequenceEqual(actual), $"'{query}': without the index {string.Join(", ", expected)}; with it {string.Join(", ", actual)}");
            matches += expected.Count;
        }
        output.WriteLine($"{name}: {queries.Count} queries, {matches} matches identical with and without .debug_names");
        Assert.True(matches > 0);
    }

    [Fact]
    public void DamagedIndexIsATypedErrorNamingTheSectionAndOffset()
    {
        var path = TestBinaries.Path("cxx/clang22-O2+pubnames");
        using var elf = ElfFile.Open(path);
        var dwarf = DwarfFile.FromElf(elf);
        var good = dwarf.Sections.Names.ToArray();
        // name_count (header offset 24) far beyond what the index holds.
        var bad = (byte[])good.Clone();
        BitConverter.TryWriteBytes(bad.AsSpan(24), 0x7fffffff);
        var e = Assert.Throws<InvalidDataException>(() => DwarfNameIndex.ReadAll(bad, dwarf.Sections.Str));
        Assert.StartsWith(".debug_names at offset 0x", e.Message, StringComparison.Ordinal);
        // Every truncation is either read or rejected with the same kind of error, never a crash.
        for (int length = 0; length < good.Length; length += Math.Max(1, good.Length / 200))
        {
            try
            {
                foreach (var index in DwarfNameIndex.ReadAll(good.AsMemory(0, length), dwarf.Sections.Str))
                    for (int i = 0; i < index.NameCount; i++) _ = index.EntriesAt(i);
            }
            catch (InvalidDataException x)
            {
                Assert.StartsWith(".debug_", x.Message, StringComparison.Ordinal);
            }
        }
    }

    private static string Key(FunctionMatch m) => $"0x{m.EntryAddress:x} {(m.Die is { } d ? d.Offset.ToString("x", CultureInfo.InvariantCulture) : "elf")} {m.IsInlined}";

    private static string Row(string name, DwarfNameEntry e) => $"{name} {e.Tag} 0x{e.DieSectionOffset:x}";

    // "name Tag 0xDIE" for every entry llvm-dwarfdump-22 --debug-names prints; the DIE offset is the unit's (from the
    // index's CU list and DW_IDX_compile_unit) plus DW_IDX_die_offset.
    private static SortedSet<string> DwarfdumpNames(string path)
    {
        var r = Toolchain.Run(Toolchain.LlvmDwarfdump, ["--debug-names", path], timeout: TimeSpan.FromMinutes(5));
        Assert.Equal(0, r.ExitCode);
        var rows = new SortedSet<string>(StringComparer.Ordinal);
        var cus = new List<long>();
        string? name = null, tag = null;
        long? cu = null, die = null;
        void Flush()
        {
            if (name != null && tag != null && die != null)
                rows.Add($"{name} {TagName(tag)} 0x{(cu ?? (cus.Count == 1 ? cus[0] : -1)) + die.Value:x}");
            tag = null; cu = null; die = null;
        }
        foreach (var raw in r.Stdout.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("Name Index @", StringComparison.Ordinal)) { Flush(); cus.Clear(); }
            else if (line.StartsWith("CU[", StringComparison.Ordinal)) cus.Add(Hex(line[(line.IndexOf(':') + 1)..]));
            else if (line.StartsWith("String:", StringComparison.Ordinal)) { Flush(); name = line[(line.IndexOf('"') + 1)..^1]; }
            else if (line.StartsWith("Entry @", StringComparison.Ordinal)) Flush();
            else if (line.StartsWith("Tag:", StringComparison.Ordinal) && name != null) tag = line[4..].Trim();
            else if (line.StartsWith("DW_IDX_compile_unit: 0x", StringComparison.Ordinal)) cu = cus[(int)Hex(line[20..])];
            else if (line.StartsWith("DW_IDX_die_offset: 0x", StringComparison.Ordinal)) die = Hex(line[18..]);
        }
        Flush();
        return rows;
    }

    private static long Hex(string s) => long.Parse(s.Trim().AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    // DW_TAG_subprogram → Subprogram, as our tag enum prints.
    private static string TagName(string dwarfTag) =>
        string.Concat(dwarfTag["DW_TAG_".Length..].Split('_').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
}
