using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf;

/// <summary>One unit of .debug_info or .debug_types: its header, the attributes of its root DIE that other readers need, and its DIE tree (parsed on first use).</summary>
public sealed class DwarfUnit
{
    private readonly object _gate = new();
    private DieEntry[]? _entries; // the first _dieCount are the unit's DIEs
    private int _dieCount;
    private DwarfAbbreviationTable? _abbrevs;
    private bool _rootRead;
    private string? _name, _compDir, _dwoName;
    private ulong? _gnuDwoId;
    private ulong? _stmtList;
    private ulong _strOffsetsBase, _addrBase, _rnglistsBase, _loclistsBase, _baseAddress;
    private bool _readingRoot;
    private InvalidDataException? _rootError;
    private IReadOnlyList<DwarfRange> _rootRanges = [];

    private DwarfUnit(DwarfFile file, ReadOnlyMemory<byte> section, string sectionName) { File = file; SectionData = section; SectionName = sectionName; }

    /// <summary>The file this unit belongs to.</summary>
    public DwarfFile File { get; }

    /// <summary>The bytes of the section the unit lives in (.debug_info or .debug_types).</summary>
    public ReadOnlyMemory<byte> SectionData { get; }

    /// <summary>".debug_info" or ".debug_types".</summary>
    public string SectionName { get; }

    /// <summary>The offset of the unit header in its section.</summary>
    public long Offset { get; private set; }

    /// <summary>The offset just past the unit.</summary>
    public long EndOffset { get; private set; }

    /// <summary>The offset of the first (root) DIE.</summary>
    public long FirstDieOffset { get; private set; }

    /// <summary>The DWARF version of the unit (2 to 5).</summary>
    public ushort Version { get; private set; }

    /// <summary>The unit kind (DWARF 2–4 compile and type units are mapped to the DWARF 5 kinds).</summary>
    public DwarfUnitType UnitType { get; private set; }

    /// <summary>Size of a target address in bytes (4 or 8).</summary>
    public byte AddressSize { get; private set; }

    /// <summary>4 for 32-bit DWARF, 8 for 64-bit DWARF.</summary>
    public byte OffsetSize { get; private set; }

    /// <summary>Offset of the unit's abbreviation table in .debug_abbrev.</summary>
    public long AbbreviationOffset { get; private set; }

    /// <summary>The type signature of a type unit (0 otherwise).</summary>
    public ulong TypeSignature { get; private set; }

    /// <summary>The unit-relative offset of the type DIE of a type unit (0 otherwise).</summary>
    public ulong TypeOffset { get; private set; }

    /// <summary>The DWO id of a skeleton or split unit (DWARF 5 header, or DW_AT_GNU_dwo_id before DWARF 5), or null.</summary>
    public ulong? DwoId
    {
        get
        {
            if (_dwoId == null && Version < 5) { EnsureRoot(); return _gnuDwoId; }
            return _dwoId;
        }
        private set => _dwoId = value;
    }

    private ulong? _dwoId;

    /// <summary>DW_AT_dwo_name (or DW_AT_GNU_dwo_name) of the root DIE: the .dwo file holding a skeleton unit's DIEs.</summary>
    public string? DwoName { get { EnsureRoot(); return _dwoName; } }

    /// <summary>True for a skeleton unit (DW_UT_skeleton, or a DWARF 4 compile unit naming a GNU .dwo file).</summary>
    public bool IsSkeleton => UnitType == DwarfUnitType.Skeleton || (Version < 5 && UnitType == DwarfUnitType.Compile && DwoName != null);

    /// <summary>For a split unit read from a .dwo or .dwp: the skeleton unit of the module that points to it.</summary>
    /// <remarks>The split unit takes its address table base, base address and line table from the skeleton.</remarks>
    public DwarfUnit? Skeleton { get; internal set; }

    /// <summary>For a skeleton unit: the split unit holding its DIEs (opened on first use), or null when it cannot be found or this is not a skeleton.</summary>
    public DwarfUnit? SplitUnit => IsSkeleton ? File.SplitFiles?.SplitUnitOf(this) : null;

    /// <summary>DW_AT_str_offsets_base of the root DIE (default: just past the DWARF 5 table header).</summary>
    public ulong StrOffsetsBase { get { EnsureRoot(); return _strOffsetsBase; } private set => _strOffsetsBase = value; }

    /// <summary>DW_AT_addr_base of the root DIE.</summary>
    public ulong AddrBase { get { if (Skeleton is { } s) return s.AddrBase; EnsureRoot(); return _addrBase; } private set => _addrBase = value; }

    /// <summary>DW_AT_rnglists_base of the root DIE (0 when absent).</summary>
    public ulong RnglistsBase { get { EnsureRoot(); return _rnglistsBase; } private set => _rnglistsBase = value; }

    /// <summary>DW_AT_loclists_base of the root DIE (0 when absent).</summary>
    public ulong LoclistsBase { get { EnsureRoot(); return _loclistsBase; } private set => _loclistsBase = value; }

    /// <summary>The unit's base address (DW_AT_low_pc of the root DIE, 0 when absent).</summary>
    public ulong BaseAddress { get { EnsureRoot(); return _baseAddress == 0 && Skeleton is { } s ? s.BaseAddress : _baseAddress; } private set => _baseAddress = value; }

    /// <summary>The address ranges of the root DIE (read without parsing the rest of the unit).</summary>
    public IReadOnlyList<DwarfRange> RootRanges { get { EnsureRoot(); return _rootRanges; } }

    /// <summary>DW_AT_name of the root DIE.</summary>
    public string? Name { get { EnsureRoot(); return _name; } }

    /// <summary>DW_AT_comp_dir of the root DIE.</summary>
    public string? CompilationDirectory { get { EnsureRoot(); return _compDir; } }

    /// <summary>DW_AT_stmt_list of the root DIE: the offset of the unit's line program in .debug_line.</summary>
    public long? StatementListOffset { get { EnsureRoot(); return (long?)_stmtList; } }

    /// <summary>The unit's line table (null when it has no DW_AT_stmt_list).</summary>
    /// <remarks>A split unit without its own DW_AT_stmt_list uses its skeleton's table, whose file numbers its DIEs use.</remarks>
    public DwarfLineProgram? LineProgram => StatementListOffset is { } off ? File.LineProgram(off, this) : Skeleton?.LineProgram;

    /// <summary>The abbreviation table the unit's DIEs use.</summary>
    public DwarfAbbreviationTable Abbreviations => _abbrevs ??= File.AbbreviationTable(AbbreviationOffset);

    /// <summary>The root DIE (compile_unit, type_unit, partial_unit or skeleton_unit).</summary>
    public DwarfDie Root => Entries.Length > 0 ? new(this, 0) : throw DwarfError.At(SectionName, Offset, "unit has no DIEs");

    /// <summary>The number of DIEs in the unit (parses the unit).</summary>
    public int DieCount => Entries.Length;

    /// <summary>Every DIE of the unit in file order (parses the unit).</summary>
    public IEnumerable<DwarfDie> Dies
    {
        get
        {
            int n = Entries.Length;
            for (int i = 0; i < n; i++) yield return new DwarfDie(this, i);
        }
    }

    /// <summary>True once the DIE tree has been parsed.</summary>
    public bool IsParsed => _entries != null;

    /// <summary>True once the root DIE's attributes (name, directories, line table, bases, ranges) have been read.</summary>
    public bool IsRootRead => _rootRead;

    /// <summary>The type DIE of a type unit.</summary>
    public DwarfDie? TypeDie => UnitType is DwarfUnitType.Type or DwarfUnitType.SplitType ? DieAt(Offset + (long)TypeOffset) : null;

    internal ReadOnlySpan<DieEntry> Entries
    {
        get
        {
            var entries = Volatile.Read(ref _entries);
            if (entries == null)
            {
                lock (_gate)
                {
                    entries = _entries;
                    if (entries == null)
                    {
                        // The parser's array is sized from an estimate and not trimmed: a copy of a large unit's
                        // entries would cost as much as the parse.
                        try
                        {
                            entries = DieTreeParser.Parse(this, out _dieCount);
                        }
                        catch (InvalidDataException e)
                        {
                            throw ReadError.InFile(File.Sections.FileName, e);
                        }
                        Volatile.Write(ref _entries, entries);
                    }
                }
            }
            return entries.AsSpan(0, _dieCount);
        }
    }

    /// <summary>The DIE starting at section offset <paramref name="offset"/>, or null.</summary>
    public DwarfDie? DieAt(long offset)
    {
        if (offset < FirstDieOffset || offset >= EndOffset) return null;
        var entries = Entries;
        int lo = 0, hi = entries.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            long o = entries[mid].Offset;
            if (o == offset) return new DwarfDie(this, mid);
            if (o < offset) lo = mid + 1; else hi = mid - 1;
        }
        return null;
    }

    /// <summary>The address at index <paramref name="index"/> of this unit's .debug_addr table (DW_FORM_addrx).</summary>
    public ulong ReadIndexedAddress(ulong index) =>
        ReadTableEntry(File.Sections.Addr.Span, ".debug_addr", AddrBase, index, AddressSize, "address");

    /// <summary>The string at index <paramref name="index"/> of this unit's .debug_str_offsets table (DW_FORM_strx).</summary>
    public string ReadIndexedString(ulong index) => File.ReadStr(ReadIndexedStringOffset(index));

    /// <summary>The .debug_str offset at index <paramref name="index"/> of this unit's .debug_str_offsets table (DW_FORM_strx).</summary>
    public ulong ReadIndexedStringOffset(ulong index) =>
        ReadTableEntry(File.Sections.StrOffsets.Span, ".debug_str_offsets", StrOffsetsBase, index, OffsetSize, "string");

    /// <summary>The .debug_rnglists offset of entry <paramref name="index"/> of the unit's offset table (DW_FORM_rnglistx).</summary>
    public ulong ReadRangeListOffset(ulong index) =>
        RnglistsBase + ReadTableEntry(File.Sections.Rnglists.Span, ".debug_rnglists", RnglistsBase, index, OffsetSize, "list");

    /// <summary>The .debug_loclists offset of entry <paramref name="index"/> of the unit's offset table (DW_FORM_loclistx).</summary>
    public ulong ReadLocationListOffset(ulong index) =>
        LoclistsBase + ReadTableEntry(File.Sections.Loclists.Span, ".debug_loclists", LoclistsBase, index, OffsetSize, "list");

    // Entry `index` of a table of `size`-byte values starting at `tableBase`; errors name the file the unit came from.
    private ulong ReadTableEntry(ReadOnlySpan<byte> section, string name, ulong tableBase, ulong index, int size, string what)
    {
        try
        {
            ulong at = tableBase + index * (ulong)size;
            if (index > int.MaxValue || at + (ulong)size > (ulong)section.Length)
                throw DwarfError.At(name, (long)Math.Min(at, long.MaxValue), $"{what} index {index} is outside the section");
            var r = new ByteReader(section, name, (int)at);
            return r.ReadUnsigned(size);
        }
        catch (InvalidDataException e)
        {
            throw ReadError.InFile(File.Sections.FileName, e);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{UnitType} unit at {SectionName}+0x{Offset:x} (DWARF {Version}{(Name is { } n ? ", " + n : "")})";

    internal static DwarfUnit ReadHeader(DwarfFile file, ReadOnlyMemory<byte> section, int offset, bool fromTypesSection, string sectionName)
    {
        var u = new DwarfUnit(file, section, sectionName) { Offset = offset };
        var r = new ByteReader(section.Span, sectionName, offset);
        ulong length = r.ReadU32();
        u.OffsetSize = 4;
        if (length == 0xffffffff) { length = r.ReadU64(); u.OffsetSize = 8; }
        else if (length >= 0xfffffff0)
            throw DwarfError.At(sectionName, offset, $"reserved unit length 0x{length:x}");
        if (length > (ulong)r.Remaining)
            throw DwarfError.At(sectionName, offset, $"unit length 0x{length:x} runs past the end of the section ({r.Remaining} bytes left)");
        u.EndOffset = r.Position + (long)length;
        u.Version = r.ReadU16();
        if (u.Version is < 2 or > 5)
            throw DwarfError.At(sectionName, offset + u.OffsetSize, $"unsupported DWARF version {u.Version}");
        if (u.Version >= 5)
        {
            u.UnitType = (DwarfUnitType)r.ReadU8();
            u.AddressSize = r.ReadU8();
            u.AbbreviationOffset = (long)r.ReadUnsigned(u.OffsetSize);
            switch (u.UnitType)
            {
                case DwarfUnitType.Skeleton or DwarfUnitType.SplitCompile: u.DwoId = r.ReadU64(); break;
                case DwarfUnitType.Type or DwarfUnitType.SplitType: u.TypeSignature = r.ReadU64(); u.TypeOffset = r.ReadUnsigned(u.OffsetSize); break;
                case DwarfUnitType.Compile or DwarfUnitType.Partial: break;
                default: throw DwarfError.At(sectionName, offset, $"unknown unit type 0x{(byte)u.UnitType:x}");
            }
        }
        else
        {
            u.AbbreviationOffset = (long)r.ReadUnsigned(u.OffsetSize);
            u.AddressSize = r.ReadU8();
            u.UnitType = DwarfUnitType.Compile;
            if (fromTypesSection)
            {
                u.UnitType = DwarfUnitType.Type;
                u.TypeSignature = r.ReadU64();
                u.TypeOffset = r.ReadUnsigned(u.OffsetSize);
            }
        }
        if (u.AddressSize is not (4 or 8))
            throw DwarfError.At(sectionName, offset, $"unsupported address size {u.AddressSize}");
        u.FirstDieOffset = r.Position;
        if (u.FirstDieOffset > u.EndOffset)
            throw DwarfError.At(sectionName, offset, "unit header is longer than the unit");
        // DWARF 5 tables default to just past their header when the base attribute is absent.
        u._strOffsetsBase = u.Version >= 5 ? (u.OffsetSize == 8 ? 16UL : 8UL) : 0;
        // A split unit's range and location list indexes count from just past the header of its .dwo section
        // (unit_length, version, address_size, segment_selector_size, offset_entry_count), absent a base attribute.
        if (u.UnitType is DwarfUnitType.SplitCompile or DwarfUnitType.SplitType)
            u._rnglistsBase = u._loclistsBase = u.OffsetSize == 8 ? 20UL : 12UL;
        return u;
    }

    private void EnsureRoot()
    {
        if (_rootRead) { if (_rootError != null) throw new InvalidDataException(_rootError.Message, _rootError); return; }
        lock (_gate)
        {
            // The root DIE's own strx/addrx values resolve through the bases while they are being read.
            if (_rootRead || _readingRoot) return;
            _readingRoot = true;
            try { ReadRootAttributes(); }
            catch (InvalidDataException e) { var named = ReadError.InFile(File.Sections.FileName, e); _rootError = named; throw named; }
            finally { _rootRead = true; _readingRoot = false; }
        }
    }

    internal void EnsureBases() => EnsureRoot();

    // The bases must be known before any strx/addrx value can be resolved, including those of the root DIE itself.
    private void ReadRootAttributes()
    {
        if (FirstDieOffset >= EndOffset) return;
        var r = new ByteReader(SectionData.Span[..(int)EndOffset], SectionName, (int)FirstDieOffset);
        ulong code = r.ReadUleb128();
        if (code == 0) return;
        var abbrev = Abbreviations.Find(code) ?? throw DwarfError.At(SectionName, FirstDieOffset, $"abbreviation code {code} is not in the table at .debug_abbrev+0x{AbbreviationOffset:x}");
        var values = new DwarfAttributeValue[abbrev.Attributes.Length];
        for (int i = 0; i < values.Length; i++)
            values[i] = DwarfAttributeValue.Read(ref r, this, abbrev.Attributes[i]);
        foreach (var v in values)
        {
            switch (v.Name)
            {
                case DwarfAttribute.StrOffsetsBase: StrOffsetsBase = v.RawValue; break;
                case DwarfAttribute.AddrBase or DwarfAttribute.GnuAddrBase: AddrBase = v.RawValue; break;
                case DwarfAttribute.RnglistsBase: RnglistsBase = v.RawValue; break;
                case DwarfAttribute.LoclistsBase: LoclistsBase = v.RawValue; break;
                case DwarfAttribute.StmtList: _stmtList = v.RawValue; break;
            }
        }
        foreach (var v in values)
        {
            switch (v.Name)
            {
                case DwarfAttribute.LowPc: BaseAddress = v.AsAddress(); break;
                case DwarfAttribute.Name: _name = v.AsString(); break;
                case DwarfAttribute.CompDir: _compDir = v.AsString(); break;
                case DwarfAttribute.DwoName or DwarfAttribute.GnuDwoName: _dwoName = v.AsString(); break;
                case DwarfAttribute.GnuDwoId: _gnuDwoId = v.RawValue; break;
            }
        }
        _rootRanges = DwarfRangeReader.FromAttributes(this, Pick(DwarfAttribute.LowPc), Pick(DwarfAttribute.HighPc), Pick(DwarfAttribute.Ranges));

        DwarfAttributeValue? Pick(DwarfAttribute name)
        {
            foreach (var v in values) if (v.Name == name) return v;
            return null;
        }
    }
}
