using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf.Tests;

/// <summary>Every address of every function in .text symbolizes exactly as llvm-addr2line -f -i does (function, inline chain, file:line).</summary>
public sealed class Addr2LineAgreementTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(TestBinaries.Names), MemberType = typeof(TestBinaries))]
    public void EveryTextAddressAgreesWithLlvmAddr2line(string name)
    {
        var path = TestBinaries.Path(name);
        using var index = SymbolIndex.Open(path);
        var text = index.Elf.FindSection(".text") ?? throw new InvalidOperationException("no .text");
        var addresses = new SortedSet<ulong>();
        foreach (var s in index.Elf.Symbols.Static)
        {
            if (!s.IsFunction || s.Size == 0 || s.Value < text.Address || s.Value >= text.Address + text.Size) continue;
            for (ulong a = s.Value; a < s.Value + s.Size; a++) addresses.Add(a);
        }
        Assert.NotEmpty(addresses);
        int agreed = Compare(TestBinaries.ReferencePath(name), index, [.. addresses], out var mismatches);
        output.WriteLine($"{name}: {agreed}/{addresses.Count} addresses agree with llvm-addr2line -f -i");
        foreach (var m in mismatches.Take(10)) output.WriteLine(m);
        Assert.Equal(addresses.Count, agreed);
    }

    [Fact]
    public void GlibcDebugFileSampleAgreesWithLlvmAddr2line()
    {
        var path = TestBinaries.GlibcDebugFile();
        using var index = SymbolIndex.Open(path);
        // Every address of glibc would take minutes through llvm-addr2line; a deterministic sample instead:
        // each function's first, last and middle byte plus one seeded random byte.
        var random = new Random(12345);
        var addresses = new SortedSet<ulong>();
        foreach (var s in index.Elf.Symbols.Static)
        {
            if (!s.IsFunction || s.Size == 0 || s.IsUndefined) continue;
            addresses.Add(s.Value);
            addresses.Add(s.Value + s.Size - 1);
            addresses.Add(s.Value + s.Size / 2);
            addresses.Add(s.Value + (ulong)random.NextInt64((long)s.Size));
        }
        int agreed = Compare(path, index, [.. addresses], out var mismatches);
        output.WriteLine($"glibc {Path.GetFileName(path)}: {agreed}/{addresses.Count} sampled addresses agree with llvm-addr2line -f -i");
        foreach (var m in mismatches.Take(10)) output.WriteLine(m);
        Assert.Equal(addresses.Count, agreed);
    }

    private static int Compare(string referencePath, SymbolIndex index, IReadOnlyList<ulong> addresses, out List<string> mismatches)
    {
        var expected = LlvmReference.Addr2Line(referencePath, addresses);
        mismatches = [];
        int agreed = 0;
        foreach (var a in addresses)
        {
            var ours = LlvmReference.Format(index.Symbolize(a));
            if (ours == expected[a]) agreed++;
            else mismatches.Add($"0x{a:x}:\n  llvm: {expected[a].Replace("\n", " | ")}\n  ours: {ours.Replace("\n", " | ")}");
        }
        return agreed;
    }
}
