using System.Text.RegularExpressions;
using TrapDebugger.Dwarf.Expressions;
using TrapDebugger.Dwarf.Types;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Dwarf.Tests;

/// <summary>The type model keeps the DW_AT_data_member_location of every base class: a constant offset, or for a virtual
/// base the expression that finds it through the vtable; checked against llvm-dwarfdump on clang-22 and gcc builds.</summary>
public sealed partial class BaseClassLocationTests
{
    private const string Source = """
        struct Base { int id; };
        struct Left : virtual Base { int left; };
        struct Right : virtual Base { int right; };
        struct Bottom : Left, Right { int bottom; };
        struct Deep : Bottom { short deep; };
        struct Plain { long p; };
        struct Mixed : Plain, virtual Left { int m; };
        int main() { Deep d; Mixed m; d.id = 1; m.id = 2; return d.id + m.id; }
        """;

    [GeneratedRegex(@"DW_TAG_inheritance\s*\n(?:\s+DW_AT_\w+\s*\([^\n]*\)\s*\n)*?\s+DW_AT_data_member_location\s*\(([^\n]*)\)")]
    private static partial Regex InheritanceLocation();

    public static TheoryData<string> Variants() => new() { "clang22", "gcc" };

    [Theory]
    [MemberData(nameof(Variants))]
    public void BaseLocationsMatchLlvmDwarfdump(string compiler)
    {
        var program = Fixtures.CompileSource(Source, "bases.cpp", compiler == "gcc" ? BuildVariant.GccO0 : BuildVariant.Clang22O0);
        var dump = Toolchain.Run(Toolchain.LlvmDwarfdump, ["--debug-info", program]).Stdout;
        var expected = InheritanceLocation().Matches(dump).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains(expected, e => e.StartsWith("DW_OP_dup", StringComparison.Ordinal));

        using var index = SymbolIndex.Open(program);
        var types = new DwarfTypeReader();
        var mine = new List<string>();
        foreach (var unit in index.Dwarf.CompileUnits)
        {
            foreach (var die in unit.Dies)
            {
                if (die.Tag is not (DwarfTag.StructureType or DwarfTag.ClassType) || die.Has(DwarfAttribute.Declaration)) continue;
                if (types.Read(die) is not CompositeType composite) continue;
                foreach (var b in composite.Bases)
                {
                    Assert.Equal(b.IsVirtual, !b.OffsetExpression.IsEmpty);
                    mine.Add(b.IsVirtual ? DwarfExpressionFormatter.Format(b.OffsetExpression.Span) : $"0x{b.ByteOffset:x2}");
                }
            }
        }
        Assert.Equal(expected, mine);
    }
}
