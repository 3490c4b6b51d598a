using System.Runtime.CompilerServices;
using TrapDebugger.Dwarf;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Diagnosis;

/// <summary>GCC's split functions as the ELF symbol table names them: the code GCC moves out of <c>f</c> into .text.unlikely is
/// the local function symbol <c>f.cold</c> (<c>f.cold.N</c> before GCC 10), and it belongs to <c>f</c>. Used when no DWARF
/// subprogram (whose DW_AT_ranges lists both parts) describes the function.</summary>
internal sealed class SplitFunctionSymbols
{
    private const string ColdSuffix = ".cold";

    private static readonly ConditionalWeakTable<ElfSymbolTable, SplitFunctionSymbols> Cache = [];

    private readonly ILookup<string, ElfSymbol> _functionsByName;
    private readonly ILookup<string, ElfSymbol> _coldPartsByHotName;
    private readonly HashSet<ulong> _entries;

    private SplitFunctionSymbols(ElfSymbolTable table)
    {
        var functions = table.ByAddress.Where(s => s.IsFunction && s.Size > 0).DistinctBy(s => (s.Name, s.Value)).ToList();
        _functionsByName = functions.ToLookup(s => s.Name, StringComparer.Ordinal);
        _coldPartsByHotName = functions.Where(s => HotName(s.Name) is not null).ToLookup(s => HotName(s.Name)!, StringComparer.Ordinal);
        _entries = [.. functions.Where(s => HotName(s.Name) is null).Select(s => s.Value)];
    }

    /// <summary>The split-function index of <paramref name="table"/>, built once per table.</summary>
    public static SplitFunctionSymbols Of(ElfSymbolTable table) => Cache.GetValue(table, t => new SplitFunctionSymbols(t));

    /// <summary>The name of the function a cold part belongs to (<c>f.cold</c>, <c>f.cold.2</c> → <c>f</c>), or null when
    /// <paramref name="name"/> does not name a cold part.</summary>
    public static string? HotName(string name)
    {
        var at = name.LastIndexOf(ColdSuffix, StringComparison.Ordinal);
        if (at <= 0) return null;
        var rest = name.AsSpan(at + ColdSuffix.Length);
        if (rest.Length == 0) return name[..at];
        return rest.Length > 1 && rest[0] == '.' && !rest[1..].ContainsAnyExceptInRange('0', '9') ? name[..at] : null;
    }

    /// <summary>A DWARF subprogram's link-time <paramref name="ranges"/> with the entry part first: the range that starts at a function
    /// symbol other than a cold part. DWARF leaves the entry of a DW_AT_ranges subprogram without DW_AT_entry_pc unspecified (GCC
    /// happens to list the hot part first); when no symbol decides, the order stays.</summary>
    public IReadOnlyList<DwarfRange> EntryFirst(IReadOnlyList<DwarfRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        if (ranges.Count < 2 || _entries.Contains(ranges[0].Low)) return ranges;
        for (var k = 1; k < ranges.Count; k++)
        {
            if (_entries.Contains(ranges[k].Low)) return [ranges[k], .. ranges.Where((_, i) => i != k)];
        }
        return ranges;
    }

    /// <summary>The link-time ranges of the function <paramref name="symbol"/> belongs to: its hot part first, then its cold parts.
    /// A symbol that is not split, or whose owner is ambiguous (two functions of that name, e.g. static functions of two files),
    /// is its own single range.</summary>
    public IReadOnlyList<DwarfRange> PartsOf(ElfSymbol symbol)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        var own = new DwarfRange(symbol.Value, symbol.Value + symbol.Size);
        var hotName = HotName(symbol.Name);
        var hot = hotName is null ? symbol : _functionsByName[hotName].ToList() is [var only] ? only : null;
        if (hot is null || _functionsByName[hot.Name].Count() != 1) return [own];
        var cold = _coldPartsByHotName[hot.Name].ToList();
        if (cold.Count == 0) return [own];
        return [new DwarfRange(hot.Value, hot.Value + hot.Size), .. cold.Select(c => new DwarfRange(c.Value, c.Value + c.Size))];
    }
}
