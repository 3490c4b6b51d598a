using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf;

/// <summary>The unit index of a DWARF package file (.debug_cu_index of a .dwp): for each DWO id, where its
/// contribution to each .dwo section lies.</summary>
/// <remarks>Versions 2 (the GNU extension used with DWARF 4) and 5 share one layout after the header: a hash table of
/// signatures, a parallel table of 1-based row numbers, then a table of section offsets and one of sizes.</remarks>
internal sealed class DwarfPackageIndex
{
    private const string SectionName = ".debug_cu_index";
    private readonly Dictionary<ulong, Contribution[]> _rows = [];

    /// <summary>One unit's slice of one section of the package.</summary>
    public readonly record struct Contribution(DwarfPackageSection Section, uint Offset, uint Size);

    /// <summary>Reads the index; sizes and counts are checked against the section before anything is allocated.</summary>
    public DwarfPackageIndex(ReadOnlySpan<byte> index)
    {
        var r = new ByteReader(index, SectionName);
        uint version = r.ReadU32() & 0xffff; // DWARF 5: uhalf version, uhalf padding; GNU: uword version
        if (version is not (2 or 5))
            throw DwarfError.At(SectionName, 0, $"unsupported package index version {version}");
        Version = (int)version;
        uint sectionCount = r.ReadU32(); // section_count
        uint unitCount = r.ReadU32(); // unit_count
        uint slotCount = r.ReadU32(); // slot_count
        ulong needed = 16 + slotCount * 12UL + sectionCount * 4UL + 2UL * unitCount * sectionCount * 4UL;
        if (sectionCount == 0 || sectionCount > 16 || needed > (ulong)index.Length)
            throw DwarfError.At(SectionName, 4, $"{sectionCount} sections × {unitCount} units in {slotCount} slots do not fit in the {index.Length}-byte section");
        int signatures = 16, rowNumbers = signatures + (int)slotCount * 8, sectionIds = rowNumbers + (int)slotCount * 4;
        int offsets = sectionIds + (int)sectionCount * 4, sizes = offsets + (int)(unitCount * sectionCount) * 4;
        var ids = new DwarfPackageSection[sectionCount];
        for (int s = 0; s < sectionCount; s++)
            ids[s] = (DwarfPackageSection)new ByteReader(index, SectionName, sectionIds + s * 4).ReadU32();
        for (int slot = 0; slot < slotCount; slot++)
        {
            uint row = new ByteReader(index, SectionName, rowNumbers + slot * 4).ReadU32();
            if (row == 0) continue;
            if (row > unitCount)
                throw DwarfError.At(SectionName, rowNumbers + slot * 4, $"row {row} is past the {unitCount} units of the index");
            ulong signature = new ByteReader(index, SectionName, signatures + slot * 8).ReadU64();
            var contributions = new Contribution[sectionCount];
            for (int s = 0; s < sectionCount; s++)
            {
                int cell = (int)((row - 1) * sectionCount + s) * 4;
                contributions[s] = new Contribution(ids[s],
                    new ByteReader(index, SectionName, offsets + cell).ReadU32(),
                    new ByteReader(index, SectionName, sizes + cell).ReadU32());
            }
            _rows.TryAdd(signature, contributions);
        }
    }

    /// <summary>2 (GNU, DWARF 4) or 5.</summary>
    public int Version { get; }

    /// <summary>The contributions of the unit whose DWO id is <paramref name="dwoId"/>, or null.</summary>
    public Contribution[]? Find(ulong dwoId) => _rows.GetValueOrDefault(dwoId);
}

/// <summary>Section identifiers of a package index (DW_SECT_*; the DWARF 5 numbering, with the GNU version-2 ids mapped onto it).</summary>
internal enum DwarfPackageSection : uint
{
    Info = 1, Types = 2, Abbrev = 3, Line = 4, Loclists = 5, StrOffsets = 6, Macro = 7, Rnglists = 8,
}
