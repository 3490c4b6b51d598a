using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf.Tests;

/// <summary>Every line table agrees row for row (address, line, column, file, ISA, discriminator, op index, flags) with llvm-dwarfdump --debug-line.</summary>
public sealed class LineTableAgreementTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(TestBinaries.Names), MemberType = typeof(TestBinaries))]
    public void LineTablesAgreeWithDwarfdump(string name) => CompareFile(name, TestBinaries.Path(name), TestBinaries.ReferencePath(name));

    [Fact]
    public void GlibcLineTablesAgreeWithDwarfdump() => CompareFile("glibc", TestBinaries.GlibcDebugFile(), TestBinaries.GlibcDebugFile());

    private void CompareFile(string name, string path, string referencePath)
    {
        using var elf = ElfFile.Open(path);
        var dwarf = DwarfFile.FromElf(elf);
        var expected = LlvmReference.DebugLine(referencePath);
        int rows = 0, agreed = 0, tables = 0;
        var mismatches = new List<string>();
        foreach (var program in dwarf.AllLinePrograms())
        {
            tables++;
            Assert.True(expected.TryGetValue(program.Offset, out var theirs), $"llvm-dwarfdump has no table at 0x{program.Offset:x}");
            Assert.Equal(theirs!.Count, program.Rows.Count);
            for (int i = 0; i < theirs.Count; i++)
            {
                rows++;
                var ours = LlvmReference.ToDump(program.Rows[i]);
                if (ours == theirs[i]) agreed++;
                else if (mismatches.Count < 10) mismatches.Add($"table 0x{program.Offset:x} row {i}: llvm {theirs[i]} ours {ours}");
            }
        }
        output.WriteLine($"{name}: {tables} line tables, {agreed}/{rows} rows agree with llvm-dwarfdump --debug-line");
        foreach (var m in mismatches) output.WriteLine(m);
        Assert.Equal(expected.Count, tables);
        Assert.Equal(rows, agreed);
    }
}
