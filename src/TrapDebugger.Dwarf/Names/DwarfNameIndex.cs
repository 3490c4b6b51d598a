using System.Text;
using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf;

/// <summary>One name index of .debug_names (DWARF 5, section 6.1.1): its unit lists, hash table, name table,
/// abbreviations and entry pool, answering name → DIEs without reading any DIE.</summary>
/// <remarks>Counts and sizes from the header are checked against the index's length before any table is read, and
/// every entry is read with bounds; damage is an <see cref="InvalidDataException"/> naming .debug_names and the offset.</remarks>
public sealed class DwarfNameIndex
{
    private const string Section = ".debug_names";
    private const int MaxAttributesPerAbbreviation = 64;
    private readonly ReadOnlyMemory<byte> _section;
    private readonly ReadOnlyMemory<byte> _str;
    private readonly int _offsetSize;
    private readonly int _bucketsAt, _hashesAt, _stringOffsetsAt, _entryOffsetsAt, _entryPoolAt, _end;
    private readonly uint _bucketCount;
    private readonly Dictionary<ulong, Abbreviation> _abbreviations = [];

    private readonly record struct Abbreviation(DwarfTag Tag, (ulong Index, DwarfForm Form)[] Attributes);

    // DW_IDX_* attribute kinds.
    private const ulong IdxCompileUnit = 1, IdxTypeUnit = 2, IdxDieOffset = 3, IdxParent = 4;

    private DwarfNameIndex(ReadOnlyMemory<byte> section, ReadOnlyMemory<byte> str, int offset)
    {
        _section = section;
        _str = str;
        Offset = offset;
        var span = section.Span;
        var r = new ByteReader(span, Section, offset);
        ulong length = r.ReadU32(); // unit_length
        _offsetSize = 4;
        if (length == 0xffffffff) { length = r.ReadU64(); _offsetSize = 8; }
        else if (length >= 0xfffffff0) throw DwarfError.At(Section, offset, $"reserved unit length 0x{length:x}");
        if (length > (ulong)r.Remaining)
            throw DwarfError.At(Section, offset, $"name index length 0x{length:x} runs past the end of the section ({r.Remaining} bytes left)");
        _end = r.Position + (int)length;
        r = new ByteReader(span[.._end], Section, r.Position);
        ushort version = r.ReadU16(); // version
        if (version != 5) throw DwarfError.At(Section, offset, $"unsupported name index version {version}");
        r.ReadU16(); // padding
        uint cuCount = r.ReadU32(); // comp_unit_count
        uint localTuCount = r.ReadU32(); // local_type_unit_count
        uint foreignTuCount = r.ReadU32(); // foreign_type_unit_count
        _bucketCount = r.ReadU32(); // bucket_count
        uint nameCount = r.ReadU32(); // name_count
        uint abbrevSize = r.ReadU32(); // abbrev_table_size
        uint augmentationSize = r.ReadU32(); // augmentation_string_size
        // Every table's size, summed in 64 bits, must fit in what is left of the index before anything is read.
        ulong tables = (ulong)augmentationSize + ((ulong)cuCount + localTuCount) * (ulong)_offsetSize + foreignTuCount * 8UL
            + _bucketCount * 4UL + (_bucketCount > 0 ? nameCount * 4UL : 0) + nameCount * 2UL * (ulong)_offsetSize + abbrevSize;
        if (tables > (ulong)r.Remaining)
            throw DwarfError.At(Section, offset, $"header tables ({cuCount} units, {nameCount} names, {_bucketCount} buckets, {abbrevSize}-byte abbreviations) do not fit in the {length}-byte index");
        NameCount = (int)nameCount;
        r.Skip(augmentationSize);
        var cus = new long[cuCount];
        for (int i = 0; i < cus.Length; i++) cus[i] = (long)r.ReadUnsigned(_offsetSize);
        var tus = new long[localTuCount];
        for (int i = 0; i < tus.Length; i++) tus[i] = (long)r.ReadUnsigned(_offsetSize);
        var foreign = new ulong[foreignTuCount];
        for (int i = 0; i < foreign.Length; i++) foreign[i] = r.ReadU64();
        CompileUnitOffsets = cus;
        LocalTypeUnitOffsets = tus;
        ForeignTypeUnitSignatures = foreign;
        _bucketsAt = r.Position;
        _hashesAt = _bucketsAt + (int)_bucketCount * 4;
        _stringOffsetsAt = _hashesAt + (_bucketCount > 0 ? NameCount * 4 : 0);
        _entryOffsetsAt = _stringOffsetsAt + NameCount * _offsetSize;
        int abbrevAt = _entryOffsetsAt + NameCount * _offsetSize;
        _entryPoolAt = abbrevAt + (int)abbrevSize;
        ReadAbbreviations(span[.._entryPoolAt], abbrevAt);
    }

    /// <summary>The offset of this name index in .debug_names.</summary>
    public int Offset { get; }

    /// <summary>The offset just past this name index.</summary>
    public int EndOffset => _end;

    /// <summary>The number of names in the name table.</summary>
    public int NameCount { get; }

    /// <summary>The .debug_info offsets of the compile units this index covers.</summary>
    public IReadOnlyList<long> CompileUnitOffsets { get; }

    /// <summary>The .debug_info offsets of the type units this index covers.</summary>
    public IReadOnlyList<long> LocalTypeUnitOffsets { get; }

    /// <summary>The signatures of the type units this index covers that live in other files.</summary>
    public IReadOnlyList<ulong> ForeignTypeUnitSignatures { get; }

    /// <summary>Reads every name index in <paramref name="section"/> (.debug_names); names are offsets into <paramref name="str"/> (.debug_str).</summary>
    public static IReadOnlyList<DwarfNameIndex> ReadAll(ReadOnlyMemory<byte> section, ReadOnlyMemory<byte> str)
    {
        var list = new List<DwarfNameIndex>();
        for (int at = 0; at < section.Length;)
        {
            var index = new DwarfNameIndex(section, str, at);
            list.Add(index);
            at = index.EndOffset;
        }
        return list;
    }

    /// <summary>The name at position <paramref name="i"/> (0-based) of the name table.</summary>
    public string NameAt(int i) => DwarfFile.ReadCString(_str.Span, StringOffset(i), ".debug_str");

    /// <summary>The entries of the name at position <paramref name="i"/> (0-based) of the name table.</summary>
    public IReadOnlyList<DwarfNameEntry> EntriesAt(int i)
    {
        if ((uint)i >= (uint)NameCount) throw new ArgumentOutOfRangeException(nameof(i));
        var span = _section.Span[.._end];
        var r = new ByteReader(span, Section, _entryOffsetsAt + i * _offsetSize);
        ulong relative = r.ReadUnsigned(_offsetSize);
        if (relative >= (ulong)(_end - _entryPoolAt))
            throw DwarfError.At(Section, _entryOffsetsAt + i * _offsetSize, $"entry offset 0x{relative:x} is outside the entry pool");
        var entries = new List<DwarfNameEntry>();
        r.Position = _entryPoolAt + (int)relative;
        while (true)
        {
            int at = r.Position;
            ulong code = r.ReadUleb128();
            if (code == 0) break;
            if (!_abbreviations.TryGetValue(code, out var abbrev))
                throw DwarfError.At(Section, at, $"name entry uses abbreviation code {code}, which the index does not declare");
            entries.Add(ReadEntry(ref r, at, abbrev));
        }
        return entries;
    }

    /// <summary>The entries of every name equal to <paramref name="name"/> (exact bytes), found through the hash table when the index has one.</summary>
    public IReadOnlyList<DwarfNameEntry> Find(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        var result = new List<DwarfNameEntry>();
        var span = _section.Span[.._end];
        // The hash is over the case-folded name; for a non-ASCII name, whose folding is Unicode's, scan instead.
        if (_bucketCount > 0 && Ascii.IsValid(bytes))
        {
            uint hash = FoldedDjbHash(bytes);
            uint bucket = hash % _bucketCount;
            uint first = new ByteReader(span, Section, _bucketsAt + (int)bucket * 4).ReadU32();
            if (first == 0) return result;
            if (first > (uint)NameCount) throw DwarfError.At(Section, _bucketsAt + (int)bucket * 4, $"bucket {bucket} starts at name {first}, past the {NameCount} names");
            for (int i = (int)first - 1; i < NameCount; i++)
            {
                uint h = new ByteReader(span, Section, _hashesAt + i * 4).ReadU32();
                if (h % _bucketCount != bucket) break;
                if (h == hash && NameEquals(i, bytes)) result.AddRange(EntriesAt(i));
            }
            return result;
        }
        for (int i = 0; i < NameCount; i++)
            if (NameEquals(i, bytes)) result.AddRange(EntriesAt(i));
        return result;
    }

    /// <summary>The DJB hash of the name with ASCII letters folded to lower case, as the name index's hash table uses.</summary>
    public static uint FoldedDjbHash(ReadOnlySpan<byte> name)
    {
        uint h = 5381;
        foreach (byte b in name)
            h = h * 33 + (b is >= (byte)'A' and <= (byte)'Z' ? (uint)(b + 32) : b);
        return h;
    }

    private ulong StringOffset(int i) => new ByteReader(_section.Span[.._end], Section, _stringOffsetsAt + i * _offsetSize).ReadUnsigned(_offsetSize);

    // Compared as bytes against .debug_str: no string is decoded for a name that does not match.
    private bool NameEquals(int i, ReadOnlySpan<byte> name)
    {
        ulong offset = StringOffset(i);
        var str = _str.Span;
        if (offset >= (ulong)str.Length)
            throw DwarfError.At(Section, _stringOffsetsAt + i * _offsetSize, $"name string offset 0x{offset:x} is outside the {str.Length}-byte .debug_str");
        var rest = str[(int)offset..];
        return rest.Length > name.Length && rest[name.Length] == 0 && rest.StartsWith(name);
    }

    private DwarfNameEntry ReadEntry(ref ByteReader r, int at, Abbreviation abbrev)
    {
        long unitOffset = CompileUnitOffsets.Count == 1 ? CompileUnitOffsets[0] : -1;
        ulong dieOffset = 0, signature = 0;
        long parent = -1;
        bool typeUnit = false;
        foreach (var (index, form) in abbrev.Attributes)
        {
            int valueAt = r.Position;
            ulong value = form switch
            {
                DwarfForm.Data1 or DwarfForm.Ref1 or DwarfForm.Flag => r.ReadU8(),
                DwarfForm.Data2 or DwarfForm.Ref2 => r.ReadU16(),
                DwarfForm.Data4 or DwarfForm.Ref4 => r.ReadU32(),
                DwarfForm.Data8 or DwarfForm.Ref8 or DwarfForm.RefSig8 => r.ReadU64(),
                DwarfForm.Udata or DwarfForm.RefUdata => r.ReadUleb128(),
                DwarfForm.Sdata => (ulong)r.ReadSleb128(),
                DwarfForm.FlagPresent => 1,
                _ => throw DwarfError.At(Section, valueAt, $"name entry attribute uses form 0x{(ushort)form:x}, which a name index cannot use"),
            };
            switch (index)
            {
                case IdxCompileUnit:
                    if (value >= (ulong)CompileUnitOffsets.Count)
                        throw DwarfError.At(Section, valueAt, $"DW_IDX_compile_unit {value} is past the {CompileUnitOffsets.Count} units of the index");
                    unitOffset = CompileUnitOffsets[(int)value];
                    break;
                case IdxTypeUnit:
                    typeUnit = true;
                    if (value < (ulong)LocalTypeUnitOffsets.Count) unitOffset = LocalTypeUnitOffsets[(int)value];
                    else if (value - (ulong)LocalTypeUnitOffsets.Count < (ulong)ForeignTypeUnitSignatures.Count)
                    {
                        unitOffset = -1;
                        signature = ForeignTypeUnitSignatures[(int)(value - (ulong)LocalTypeUnitOffsets.Count)];
                    }
                    else throw DwarfError.At(Section, valueAt, $"DW_IDX_type_unit {value} is past the type units of the index");
                    break;
                case IdxDieOffset:
                    dieOffset = value;
                    break;
                case IdxParent when form != DwarfForm.FlagPresent:
                    if (value >= (ulong)(_end - _entryPoolAt))
                        throw DwarfError.At(Section, valueAt, $"DW_IDX_parent 0x{value:x} is outside the entry pool");
                    parent = _entryPoolAt + (long)value;
                    break;
            }
        }
        if (!typeUnit && unitOffset < 0)
            throw DwarfError.At(Section, at, $"name entry has no DW_IDX_compile_unit and the index lists {CompileUnitOffsets.Count} units");
        return new DwarfNameEntry(at, abbrev.Tag, unitOffset, dieOffset, parent, typeUnit, signature);
    }

    private void ReadAbbreviations(ReadOnlySpan<byte> span, int at)
    {
        var r = new ByteReader(span, Section, at);
        while (!r.AtEnd)
        {
            int start = r.Position;
            ulong code = r.ReadUleb128();
            if (code == 0) break;
            ulong tag = r.ReadUleb128();
            var attributes = new List<(ulong, DwarfForm)>();
            while (true)
            {
                ulong index = r.ReadUleb128(), form = r.ReadUleb128();
                if (index == 0 && form == 0) break;
                if (attributes.Count >= MaxAttributesPerAbbreviation || form > ushort.MaxValue)
                    throw DwarfError.At(Section, start, $"abbreviation {code} is malformed (more than {MaxAttributesPerAbbreviation} attributes or form 0x{form:x})");
                attributes.Add((index, (DwarfForm)form));
            }
            if (tag > ushort.MaxValue) throw DwarfError.At(Section, start, $"abbreviation {code} has tag 0x{tag:x}");
            if (!_abbreviations.TryAdd(code, new Abbreviation((DwarfTag)tag, [.. attributes])))
                throw DwarfError.At(Section, start, $"abbreviation code {code} is declared twice");
        }
    }
}
