using System.Collections.Concurrent;
using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf;

/// <summary>The DWARF of one object file: its units (compile, type, partial, skeleton), abbreviation tables and shared sections.</summary>
/// <remarks>Opening reads only unit headers; each unit parses its DIEs on first use, once, and may be parsed in parallel with others.</remarks>
public sealed class DwarfFile
{
    private readonly ConcurrentDictionary<int, DwarfAbbreviationTable> _abbrevTables = new();
    private readonly Lazy<Dictionary<ulong, DwarfUnit>> _typeUnits;
    private readonly ConcurrentDictionary<long, DwarfLineProgram> _linePrograms = new();
    private readonly Lazy<(List<DwarfUnit> Info, IReadOnlyList<DwarfUnit> All)> _units;

    /// <summary>The DWARF of <paramref name="sections"/>; the unit headers are read on first use.</summary>
    public DwarfFile(DwarfSections sections)
    {
        Sections = sections;
        // Only questions about units need .debug_info: the line tables are answered without it.
        _units = new(() =>
        {
            try
            {
                var info = ReadUnits(sections.Info, fromTypesSection: false);
                var types = ReadUnits(sections.Types, fromTypesSection: true);
                return (info, [.. info, .. types]);
            }
            catch (InvalidDataException e)
            {
                throw ReadError.InFile(sections.FileName, e);
            }
        });
        _typeUnits = new(() =>
        {
            var map = new Dictionary<ulong, DwarfUnit>();
            foreach (var u in Units)
                if (u.UnitType is DwarfUnitType.Type or DwarfUnitType.SplitType)
                    map.TryAdd(u.TypeSignature, u);
            return map;
        });
    }

    /// <summary>Reads the DWARF sections of <paramref name="elf"/>.</summary>
    public static DwarfFile FromElf(ElfFile elf) => new(DwarfSections.FromElf(elf));

    /// <summary>Where the split units of this file's skeleton units are found (null: skeleton units stay without DIEs).</summary>
    public SplitDwarfFiles? SplitFiles { get; set; }

    /// <summary>The section bytes.</summary>
    public DwarfSections Sections { get; }

    /// <summary>Every unit of .debug_info followed by those of .debug_types.</summary>
    public IReadOnlyList<DwarfUnit> Units => _units.Value.All;

    private List<DwarfUnit> InfoUnits => _units.Value.Info;

    /// <summary>Units of .debug_info that describe code (compile, partial and skeleton units).</summary>
    public IEnumerable<DwarfUnit> CompileUnits => InfoUnits.Where(u => u.UnitType is DwarfUnitType.Compile or DwarfUnitType.Partial or DwarfUnitType.Skeleton);

    /// <summary>The unit of .debug_info containing section offset <paramref name="offset"/>, or null.</summary>
    public DwarfUnit? UnitContaining(long offset)
    {
        var units = InfoUnits;
        int lo = 0, hi = units.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            var u = units[mid];
            if (offset < u.Offset) hi = mid - 1;
            else if (offset >= u.EndOffset) lo = mid + 1;
            else return u;
        }
        return null;
    }

    /// <summary>The type unit with signature <paramref name="signature"/> (DW_FORM_ref_sig8), or null.</summary>
    public DwarfUnit? TypeUnit(ulong signature) => _typeUnits.Value.GetValueOrDefault(signature);

    /// <summary>The DIE at .debug_info offset <paramref name="offset"/>, or null if no DIE starts there.</summary>
    public DwarfDie? DieAt(long offset) => UnitContaining(offset)?.DieAt(offset);

    /// <summary>The abbreviation table at <paramref name="offset"/> of .debug_abbrev (parsed once, shared by units).</summary>
    public DwarfAbbreviationTable AbbreviationTable(long offset)
    {
        if (offset < 0 || offset > Sections.Abbrev.Length)
            throw DwarfError.At(".debug_abbrev", offset, "abbreviation table offset is outside the section");
        return _abbrevTables.GetOrAdd((int)offset, o => new DwarfAbbreviationTable(Sections.Abbrev.Span, o));
    }

    /// <summary>The line program at <paramref name="offset"/> of .debug_line, parsed once.</summary>
    public DwarfLineProgram LineProgram(long offset, DwarfUnit? unit) =>
        _linePrograms.GetOrAdd(offset, o =>
        {
            try
            {
                return DwarfLineProgram.Parse(this, o, unit);
            }
            catch (InvalidDataException e)
            {
                throw ReadError.InFile(Sections.FileName, e);
            }
        });

    /// <summary>True once the line program at <paramref name="offset"/> of .debug_line has been parsed.</summary>
    public bool IsLineProgramParsed(long offset) => _linePrograms.ContainsKey(offset);

    /// <summary>Every line program referenced by a unit's DW_AT_stmt_list, in .debug_line order.</summary>
    public IEnumerable<DwarfLineProgram> AllLinePrograms()
    {
        var seen = new SortedDictionary<long, DwarfUnit>();
        foreach (var u in Units)
            if (u.StatementListOffset is { } off)
                seen.TryAdd(off, u);
        foreach (var (off, u) in seen)
            yield return LineProgram(off, u);
    }

    /// <summary>The NUL-terminated string at <paramref name="offset"/> of .debug_str.</summary>
    public string ReadStr(ulong offset) => ReadString(Sections.Str.Span, offset, ".debug_str");

    /// <summary>The NUL-terminated string at <paramref name="offset"/> of .debug_line_str.</summary>
    public string ReadLineStr(ulong offset) => ReadString(Sections.LineStr.Span, offset, ".debug_line_str");

    private string ReadString(ReadOnlySpan<byte> section, ulong offset, string name)
    {
        try
        {
            return ReadCString(section, offset, name);
        }
        catch (InvalidDataException e)
        {
            throw ReadError.InFile(Sections.FileName, e);
        }
    }

    internal static string ReadCString(ReadOnlySpan<byte> section, ulong offset, string name)
    {
        if (offset >= (ulong)section.Length)
            throw DwarfError.At(name, (long)offset, $"string offset is outside the {section.Length}-byte section");
        var r = new ByteReader(section, name, (int)offset);
        return r.ReadCString();
    }

    private List<DwarfUnit> ReadUnits(ReadOnlyMemory<byte> section, bool fromTypesSection)
    {
        var units = new List<DwarfUnit>();
        string name = fromTypesSection ? ".debug_types" : ".debug_info";
        var span = section.Span;
        int offset = 0;
        while (offset < span.Length)
        {
            var unit = DwarfUnit.ReadHeader(this, section, offset, fromTypesSection, name);
            units.Add(unit);
            offset = (int)unit.EndOffset;
        }
        return units;
    }
}
