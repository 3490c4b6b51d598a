using System.Globalization;
using System.Text.RegularExpressions;
using TrapDebugger.Dwarf.Types;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Dwarf.Tests;

/// <summary>The type model reads every DW_TAG_variant_part of a rustc program (Option, Result, niche-encoded and tagged
/// user enums): the discriminant member and the values selecting each variant, as llvm-dwarfdump lists them; and the
/// variant a discriminant selects, including the default variant and signed ranges.</summary>
public sealed partial class VariantPartTests
{
    [GeneratedRegex(@"^0x[0-9a-f]+:(\s+)DW_TAG_(\w+)")]
    private static partial Regex Entry();

    [GeneratedRegex(@"DW_AT_discr_value\s+\((0x[0-9a-f]+)\)")]
    private static partial Regex DiscrValue();

    [GeneratedRegex(@"DW_AT_data_member_location\s+\((0x[0-9a-f]+)\)")]
    private static partial Regex MemberLocation();

    [Fact]
    public void VariantPartsMatchLlvmDwarfdump()
    {
        var program = Fixtures.Build("rust_values", BuildVariant.RustcDebug).Program;
        var expected = DumpedVariantParts(Toolchain.Run(Toolchain.LlvmDwarfdump, ["--debug-info", program]).Stdout);
        Assert.True(expected.Count > 20, $"llvm-dwarfdump lists {expected.Count} variant parts");

        using var index = SymbolIndex.Open(program);
        var types = new DwarfTypeReader();
        var mine = new List<string>();
        foreach (var unit in index.Dwarf.CompileUnits)
        {
            foreach (var die in unit.Dies)
            {
                if (die.Tag != DwarfTag.StructureType || die.Has(DwarfAttribute.Declaration)) continue;
                if (types.Read(die) is not CompositeType { VariantPart: { } part } composite) continue;
                Assert.True(composite.Language.IsRust);
                mine.Add(Describe(part));
                // Every listed value selects its variant; a value no variant lists selects the default one, if any.
                foreach (var variant in part.Variants.Where(v => !v.IsDefault))
                    Assert.Same(variant, part.Select(variant.Values[0].Low));
                var unlisted = Enumerable.Range(0, 300).Select(i => (ulong)i).First(v => part.Variants.All(x => x.Values.All(r => r.Low != v)));
                Assert.Same(part.Variants.FirstOrDefault(v => v.IsDefault), part.Select(unlisted));
            }
        }
        Assert.Equal(expected.Order(), mine.Order());
    }

    // "discriminant@offset: value|default, …" for each variant part llvm-dwarfdump prints.
    private static List<string> DumpedVariantParts(string dump)
    {
        var result = new List<string>();
        var lines = dump.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (Entry().Match(lines[i]) is not { Success: true, Groups: var g } || g[2].Value != "variant_part") continue;
            int depth = g[1].Value.Length;
            string? discriminant = null;
            var variants = new List<string>();
            string? current = null;
            for (int j = i + 1; j < lines.Length; j++)
            {
                if (Entry().Match(lines[j]) is { Success: true } e)
                {
                    int d = e.Groups[1].Value.Length;
                    if (d <= depth) break;
                    if (d == depth + 2)
                    {
                        if (current is not null) variants.Add(current);
                        current = e.Groups[2].Value == "variant" ? "default" : null;
                        if (e.Groups[2].Value == "member") discriminant = "";
                    }
                    continue;
                }
                if (lines[j].TrimStart().StartsWith("NULL", StringComparison.Ordinal)) continue;
                if (discriminant == "" && current is null && MemberLocation().Match(lines[j]) is { Success: true } loc) discriminant = loc.Groups[1].Value;
                if (current == "default" && DiscrValue().Match(lines[j]) is { Success: true } v) current = Hex(ulong.Parse(v.Groups[1].Value[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
            if (current is not null) variants.Add(current);
            result.Add($"{discriminant ?? "none"}: {string.Join(", ", variants)}");
        }
        return result;
    }

    private static string Describe(VariantPart part) =>
        $"{(part.Discriminant is { } d ? $"0x{d.ByteOffset:x2}" : "none")}: " +
        string.Join(", ", part.Variants.Select(v => v.IsDefault ? "default" : Hex(v.Values[0].Low)));

    private static string Hex(ulong value) => $"0x{value:x}";

    [Theory]
    [InlineData(0x05UL, 0x05UL, 0x05UL, 8, false, true)]
    [InlineData(0x105UL, 0x05UL, 0x05UL, 8, false, true)] // bits above the discriminant's width are not part of it
    [InlineData(0x06UL, 0x05UL, 0x05UL, 8, false, false)]
    [InlineData(0xfeUL, 0xfdUL, 0x02UL, 8, true, true)] // -2 in the signed range -3 ..= 2
    [InlineData(0x03UL, 0xfdUL, 0x02UL, 8, true, false)]
    [InlineData(0x80UL, 0x10UL, 0xf0UL, 8, false, true)] // unsigned range 16 ..= 240
    [InlineData(0x8000000000000000UL, 0x8000000000000000UL, 0x8000000000000000UL, 64, false, true)]
    public void DiscriminantRangesCompareInTheDiscriminantsWidthAndSign(ulong raw, ulong low, ulong high, int bits, bool signed, bool contains) =>
        Assert.Equal(contains, new DiscriminantRange(low, high).Contains(raw, bits, signed));
}
