using System.Globalization;
using TrapDebugger.Engine.Diagnosis;
using TrapDebugger.Engine.Model;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Engine.Tests;

/// <summary>The trap analysis's function bounds of a GCC -O2 split function: asked about an address in either part, the symbolizer
/// gives both parts, the hot one (the entry) first, as llvm-nm sizes the symbols <c>f</c> and <c>f.cold</c>: from DW_AT_ranges
/// with DWARF, and by the <c>.cold</c> name with only the symbol table.</summary>
public sealed class SplitFunctionBoundsTests
{
    private const string Source = """
        #include <stddef.h>
        __attribute__((noinline)) int f(const int *p, unsigned i, unsigned n)
        {
            if (p == NULL || i >= n)
                __builtin_trap();
            return p[i];
        }
        static int (*volatile g)(const int *, unsigned, unsigned) = f;
        int main(int argc, char **argv)
        {
            int a[4] = {0};
            (void)argv;
            return g(a, (unsigned)argc, 4);
        }
        """;

    /// <summary>Function symbols by name, with their [start, end) from llvm-nm -S.</summary>
    private static Dictionary<string, (ulong Start, ulong End)> NmFunctions(string program)
    {
        var found = new Dictionary<string, (ulong, ulong)>();
        foreach (var line in Toolchain.Run(Toolchain.LlvmNm, ["-S", "--defined-only", program]).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', 4);
            if (parts.Length < 4 || parts[2] is not ("T" or "t")) continue;
            var start = ulong.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            found[parts[3]] = (start, start + ulong.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        }
        return found;
    }

    [Theory]
    [InlineData("-g", "hot")]
    [InlineData("-g", "cold")]
    [InlineData("-g0", "hot")]
    [InlineData("-g0", "cold")]
    public void BothPartsHotFirst(string debug, string part)
    {
        var program = Fixtures.CompileSource(Source, "split_bounds.c", BuildVariant.GccO2, debug);
        var nm = NmFunctions(program);
        Assert.True(nm.ContainsKey("f") && nm.ContainsKey("f.cold"), "gcc -O2 did not split f: " + string.Join(", ", nm.Keys));
        var (hot, cold) = (nm["f"], nm["f.cold"]);

        using var target = new Target();
        target.Add(program, 0, isMainProgram: true);
        var bounds = new TargetSymbolizer(target).FindFunction(part == "hot" ? hot.Start : cold.Start);

        Assert.NotNull(bounds);
        Assert.Equal(part == "hot" ? hot : cold, (bounds!.Start, bounds.End));
        Assert.Equal([hot, cold], bounds.Parts.Select(p => (p.Start, p.End)));
    }
}
