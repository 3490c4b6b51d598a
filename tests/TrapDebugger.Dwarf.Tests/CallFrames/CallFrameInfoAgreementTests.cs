using TrapDebugger.Dwarf.CallFrames;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Dwarf.Tests.CallFrames;

/// <summary>Every unwind row of every FDE of real binaries, compared with llvm-dwarfdump's unwind table.</summary>
public sealed class CallFrameInfoAgreementTests(ITestOutputHelper output)
{
    private const string Libc = "/lib/x86_64-linux-gnu/libc.so.6";

    /// <summary>Every fixture and build variant in the catalog, as (fixture, variant) names.</summary>
    public static TheoryData<string, string> FixtureVariants()
    {
        var data = new TheoryData<string, string>();
        foreach (var f in Fixtures.All)
            foreach (var v in f.Variants)
                data.Add(f.Name, v.ToString());
        return data;
    }

    [Theory]
    [MemberData(nameof(FixtureVariants))]
    public void EhFrameOfFixtureAgreesWithLlvmDwarfdump(string fixture, string variant)
    {
        var definition = Fixtures.Get(fixture);
        var binary = Fixtures.Build(definition, definition.Variants.Single(v => v.ToString() == variant));
        CompareEhFrame(binary.Program);
        if (binary.SharedLibrary != null)
            CompareEhFrame(binary.SharedLibrary);
    }

    [Fact]
    public void EhFrameOfGlibcAgreesWithLlvmDwarfdump() => CompareEhFrame(Libc);

    [Fact]
    public void DebugFrameOfProgramWithoutUnwindTablesAgreesWithLlvmDwarfdump()
    {
        const string source = """
            #include <stdio.h>
            #include <string.h>
            static int depth(int n, char *buf) { char local[64]; snprintf(local, sizeof local, "%d", n); strcat(buf, local); return n ? depth(n - 1, buf) + 1 : 0; }
            int many(int a, int b, int c, int d, int e, int f, int g, int h) { volatile long x = a * b + c * d + e * f + g * h; return (int)x; }
            int main(int argc, char **argv) { char buf[512] = ""; (void)argv; return depth(argc + 3, buf) + many(1, 2, 3, 4, 5, 6, 7, argc); }
            """;
        foreach (var variant in new[] { BuildVariant.Clang22O0, BuildVariant.Clang22O2, BuildVariant.GccO2 })
        {
            var program = Fixtures.CompileSource(source, "debug_frame.c", variant, "-fno-asynchronous-unwind-tables", "-fno-unwind-tables");
            var section = ElfSectionBytes.Read(program, ".debug_frame");
            Assert.True(section != null, $"{variant}: expected a .debug_frame section");
            var table = CallFrameInfo.FromDebugFrame(section.Bytes);
            var expected = LlvmUnwindTable.Dump(program, "--debug-frame");
            Compare($"{variant} .debug_frame", table, expected, useLookup: true);
        }
    }

    private void CompareEhFrame(string path)
    {
        var ehFrame = ElfSectionBytes.Read(path, ".eh_frame");
        Assert.True(ehFrame != null, $"{path} has no .eh_frame");
        var hdr = ElfSectionBytes.Read(path, ".eh_frame_hdr");
        var expected = LlvmUnwindTable.Dump(path, "--eh-frame");

        var scanned = CallFrameInfo.FromEhFrame(ehFrame.Bytes, ehFrame.Address);
        Compare($"{Path.GetFileName(path)} .eh_frame (sorted index)", scanned, expected, useLookup: true);
        if (hdr != null)
        {
            var searched = CallFrameInfo.FromEhFrame(ehFrame.Bytes, ehFrame.Address, hdr.Bytes, hdr.Address);
            Assert.True(searched.HasSearchTable);
            Compare($"{Path.GetFileName(path)} .eh_frame (.eh_frame_hdr table)", searched, expected, useLookup: true);
        }
    }

    private void Compare(string what, CallFrameInfo table, List<LlvmFde> expected, bool useLookup)
    {
        Assert.NotEmpty(expected);
        int rows = 0, rowAgree = 0, cfaAgree = 0, lookups = 0, lookupAgree = 0;
        var failures = new List<string>();
        Assert.Equal(expected.Count, table.FrameDescriptions.Count);
        foreach (var fde in expected)
        {
            var mine = Assert.IsType<FrameDescriptionEntry>(table.ReadEntry(fde.Offset));
            Assert.Equal((fde.Begin, fde.End), (mine.InitialLocation, mine.EndAddress));
            var myRows = table.GetRows(mine);
            for (int i = 0; i < fde.Rows.Count; i++)
            {
                rows++;
                string got = i < myRows.Count ? myRows[i].ToString() : "<missing row>";
                if (got == fde.Rows[i].Text) rowAgree++;
                else if (failures.Count < 20) failures.Add($"FDE 0x{fde.Offset:x} row {i}: llvm '{fde.Rows[i].Text}' vs ours '{got}'");
                if (i < myRows.Count && Cfa(got) == Cfa(fde.Rows[i].Text)) cfaAgree++;
            }
            if (myRows.Count != fde.Rows.Count && failures.Count < 20)
                failures.Add($"FDE 0x{fde.Offset:x}: llvm has {fde.Rows.Count} rows, ours {myRows.Count}");
            if (!useLookup) continue;
            // Lookup by pc: the row in force at an address is the last row that starts there.
            for (int i = 0; i < fde.Rows.Count; i++)
            {
                if (i + 1 < fde.Rows.Count && fde.Rows[i + 1].Address == fde.Rows[i].Address) continue;
                if (fde.Rows[i].Address >= fde.End) continue;
                // An address may also be covered by a different FDE listed earlier; only unique coverage is checked.
                lookups++;
                var row = table.FindRow(fde.Rows[i].Address);
                if (row != null && row.Fde.Offset == fde.Offset && row.ToString() == fde.Rows[i].Text) lookupAgree++;
                else if (failures.Count < 20) failures.Add($"lookup 0x{fde.Rows[i].Address:x}: llvm '{fde.Rows[i].Text}' vs ours '{row}'");
            }
        }
        output.WriteLine($"{what}: {expected.Count} FDEs, rows {rowAgree}/{rows} agree ({cfaAgree}/{rows} CFA rules), lookups {lookupAgree}/{lookups}");
        foreach (var f in failures) output.WriteLine("  " + f);
        Assert.Empty(failures);
        Assert.Equal(rows, rowAgree);
        Assert.Equal(lookups, lookupAgree);
    }

    private static string Cfa(string row)
    {
        int start = row.IndexOf("CFA=", StringComparison.Ordinal);
        int end = row.IndexOf(": ", start, StringComparison.Ordinal);
        return end < 0 ? row[start..] : row[start..end];
    }
}
