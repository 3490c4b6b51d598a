using System.Diagnostics;
using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf.Tests;

/// <summary>Truncated and bit-flipped copies of real binaries never crash, hang or allocate without bound: every failure is an InvalidDataException naming where.</summary>
public sealed class MutationTests(ITestOutputHelper output)
{
    private const int Budget = 20_000;
    private const int Seed = 20261123;

    [Fact]
    public void MutatedBinariesFailOnlyWithTypedErrors()
    {
        string[] sources = ["verbose_trap/clang22-O0", "verbose_trap/clang22-O2", "cxx/clang22-O2", "c/gcc-O2", "cxx/gcc-O0", "cxx/clang22-O2+pubnames", "c/clang22-O0+dwarf64"];
        var originals = sources.Select(n => File.ReadAllBytes(TestBinaries.Path(n))).ToArray();
        var debugRanges = originals.Select(DebugSectionRanges).ToArray();
        int typed = 0, clean = 0;
        long worstTicks = 0, worstAllocation = 0;
        var failures = new List<string>();
        var random = new Random(Seed);
        for (int n = 0; n < Budget; n++)
        {
            int which = random.Next(originals.Length);
            var bytes = Mutate(originals[which], debugRanges[which], random, out string how);
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            try
            {
                Exercise(bytes);
                clean++;
            }
            catch (InvalidDataException e)
            {
                typed++;
                if (!e.Message.Contains("offset", StringComparison.Ordinal) && !e.Message.Contains("section", StringComparison.Ordinal) && failures.Count < 20)
                    failures.Add($"#{n} {sources[which]} {how}: error does not say where: {e.Message}");
            }
            catch (Exception e)
            {
                if (failures.Count < 20) failures.Add($"#{n} {sources[which]} {how}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            worstTicks = Math.Max(worstTicks, clock.ElapsedTicks);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            if (allocated > 64L << 20 && failures.Count < 20)
                failures.Add($"#{n} {sources[which]} {how}: allocated {allocated >> 20} MiB");
            worstAllocation = Math.Max(worstAllocation, allocated);
        }
        var worst = TimeSpan.FromSeconds((double)worstTicks / Stopwatch.Frequency);
        output.WriteLine($"{Budget} mutants (seed {Seed}): {clean} read cleanly, {typed} rejected with InvalidDataException, {failures.Count} other outcomes; slowest {worst.TotalMilliseconds:F0} ms, largest allocation {worstAllocation >> 20} MiB");
        foreach (var f in failures) output.WriteLine(f);
        Assert.Empty(failures);
        // Bounds, not timings: a mutant that takes seconds is a hang, one that allocates 256 MiB is unbounded.
        Assert.True(worst < TimeSpan.FromSeconds(5), $"a mutant took {worst}");
        Assert.True(worstAllocation < 256L << 20, $"a mutant allocated {worstAllocation >> 20} MiB");
    }

    // Reads everything a debugger would: headers, symbols, notes, every DIE attribute, ranges, location lists, line tables, lookups.
    private static void Exercise(byte[] bytes)
    {
        using var elf = ElfFile.Read(bytes, "mutant");
        _ = elf.Symbols.All.Count;
        _ = elf.Notes.Count;
        _ = elf.Dynamic.Needed.Count;
        var dwarf = DwarfFile.FromElf(elf);
        foreach (var unit in dwarf.Units)
        {
            foreach (var die in unit.Dies)
            {
                foreach (var a in die.Attributes)
                {
                    if (a.IsString) _ = a.AsString();
                    else if (a.IsAddress) _ = a.AsAddress();
                    else if (a.IsReference) _ = a.AsReference();
                    else if (a.Name is DwarfAttribute.Location or DwarfAttribute.FrameBase && a.IsListReference) _ = DwarfLocationListReader.Read(a);
                }
                _ = die.Ranges;
            }
            _ = unit.LineProgram?.Rows.Count;
        }
        if (!dwarf.Sections.Names.IsEmpty)
            foreach (var names in DwarfNameIndex.ReadAll(dwarf.Sections.Names, dwarf.Sections.Str))
                for (int i = 0; i < names.NameCount; i++)
                    _ = names.Find(names.NameAt(i)).Count + names.EntriesAt(i).Count;
        using var index = new SymbolIndex(elf, dwarf);
        foreach (var f in index.Functions().Take(8))
        {
            index.Symbolize(f.EntryAddress);
            index.Symbolize(f.EntryAddress + 3);
        }
        index.FindFunctions("main");
        index.FindLine("shapes.cpp", 20);
    }

    private static List<(int Start, int Length)> DebugSectionRanges(byte[] image)
    {
        using var elf = ElfFile.Read(image);
        return elf.Sections.Where(s => s.Name.StartsWith(".debug_", StringComparison.Ordinal) || s.Name is ".symtab" or ".strtab" or ".dynamic" or ".note.gnu.build-id")
            .Select(s => ((int)s.Offset, (int)s.Size)).Where(r => r.Item2 > 0).ToList();
    }

    private static byte[] Mutate(byte[] original, List<(int Start, int Length)> hot, Random random, out string how)
    {
        int kind = random.Next(10);
        if (kind == 0)
        {
            int length = random.Next(original.Length);
            how = $"truncated to {length}";
            return original[..length];
        }
        var bytes = (byte[])original.Clone();
        int flips = 1 + random.Next(8);
        var positions = new List<int>();
        for (int i = 0; i < flips; i++)
        {
            // Mostly inside the sections the readers parse, sometimes anywhere (headers included).
            int at;
            if (random.Next(4) != 0 && hot.Count > 0)
            {
                var (start, len) = hot[random.Next(hot.Count)];
                at = start + random.Next(len);
            }
            else at = random.Next(bytes.Length);
            if (random.Next(3) == 0) bytes[at] = (byte)random.Next(256);
            else bytes[at] ^= (byte)(1 << random.Next(8));
            positions.Add(at);
        }
        how = $"bytes changed at {string.Join(",", positions.Select(p => $"0x{p:x}"))}";
        return bytes;
    }
}
