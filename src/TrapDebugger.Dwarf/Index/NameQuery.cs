using System.Buffers.Binary;
using System.Collections.Concurrent;

namespace TrapDebugger.Dwarf;

/// <summary>One function name (plain, linkage or qualified) compared against a unit's subroutines as bytes where their
/// strings lie: the plain and linkage names are never decoded, and the qualified name is built only for a DIE whose plain
/// name is the query's last "::" part.</summary>
/// <remarks>Decoding every subroutine's three names as strings was most of a name query's time on a large program.</remarks>
internal sealed class NameQuery
{
    private readonly string _name;
    private readonly byte[] _utf8;
    private readonly byte[][] _suffixes; // the parts after each "::": what a qualified match's plain name must be
    // For each file's string section: where the name (index 0) and each suffix lie, NUL-terminated. A DW_FORM_strp or
    // strx name is compared by its offset, without reading the string.
    private readonly ConcurrentDictionary<DwarfFile, HashSet<ulong>[]> _offsets = new();

    public NameQuery(string name)
    {
        _name = name;
        _utf8 = System.Text.Encoding.UTF8.GetBytes(name);
        var suffixes = new List<byte[]>();
        for (int at = name.IndexOf("::", StringComparison.Ordinal); at >= 0; at = name.IndexOf("::", at + 2, StringComparison.Ordinal))
            if (at + 2 < name.Length) suffixes.Add(System.Text.Encoding.UTF8.GetBytes(name[(at + 2)..]));
        _suffixes = [.. suffixes];
    }

    /// <summary>The indexes of the subroutines with code in <paramref name="unit"/> (parsing it) that the name names, in DIE order.</summary>
    /// <remarks>A DIE without names of its own (an inlined or out-of-line instance) has the names of the DIE its
    /// abstract_origin or specification leads to, so instances of one function share one answer, kept under the
    /// reference's section offset. Most DIEs of a large unit are such instances: where the reference lies at a fixed
    /// place after the abbreviation code, it is read from the bytes directly.</remarks>
    public List<int> MatchesIn(DwarfUnit unit)
    {
        var found = new List<int>();
        var entries = unit.Entries;
        var declarations = unit.Abbreviations.Declarations;
        var shapes = new InstanceShape[declarations.Count];
        for (int k = 0; k < shapes.Length; k++) shapes[k] = InstanceShape.Of(declarations[k], unit);
        var data = unit.SectionData.Span;
        var byOrigin = new Dictionary<ulong, bool>();
        for (int d = 0; d < entries.Length; d++)
        {
            var shape = shapes[entries[d].AbbreviationIndex];
            if (!shape.IsSubroutine) continue;
            int at = entries[d].Offset;
            if (shape.ReferenceOffset >= 0 && shape.TryReadReference(data, at, unit, out ulong origin) && origin != (ulong)at)
            {
                if (!byOrigin.TryGetValue(origin, out bool known))
                    byOrigin[origin] = known = Matches(new DwarfDie(unit, d));
                if (known) found.Add(d);
            }
            else if (Matches(new DwarfDie(unit, d), byOrigin))
                found.Add(d);
        }
        return found;
    }

    private bool Matches(DwarfDie die, Dictionary<ulong, bool> byOrigin)
    {
        var abbrev = die.Abbreviation;
        if (HasOwnNames(abbrev))
            return Matches(die);
        if ((die.Find(DwarfAttribute.AbstractOrigin) ?? die.Find(DwarfAttribute.Specification)) is not { IsReference: true } reference
            || reference.Form == DwarfForm.RefSig8 || reference.RawValue == (ulong)die.Offset)
            return Matches(die);
        if (!byOrigin.TryGetValue(reference.RawValue, out bool known))
            byOrigin[reference.RawValue] = known = Matches(die);
        return known;
    }

    private static bool HasOwnNames(DwarfAbbreviation abbrev) =>
        abbrev.IndexOf(DwarfAttribute.Name) >= 0 || abbrev.IndexOf(DwarfAttribute.LinkageName) >= 0 || abbrev.IndexOf(DwarfAttribute.MipsLinkageName) >= 0;

    // The plain and linkage names are those DwarfDie.FindRecursively finds, read in one walk along the abstract_origin
    // and specification chain instead of one walk per attribute.
    private bool Matches(DwarfDie die)
    {
        DwarfAttributeValue? plain = null, linkage = null, mips = null;
        var current = die;
        for (int hops = 0; hops < 16; hops++)
        {
            if (plain is null && current.Find(DwarfAttribute.Name) is { } p)
            {
                if (Is(p, 0)) return true;
                plain = p;
            }
            linkage ??= current.Find(DwarfAttribute.LinkageName);
            if (plain is not null && linkage is not null) break;
            mips ??= current.Find(DwarfAttribute.MipsLinkageName);
            var next = current.Find(DwarfAttribute.AbstractOrigin) ?? current.Find(DwarfAttribute.Specification);
            if (next?.AsReference() is not { } d || d == current) break;
            current = d;
        }
        if ((linkage ?? mips) is { } l && Is(l, 0)) return true;
        if (plain is not { } named) return false;
        for (int i = 0; i < _suffixes.Length; i++)
            if (Is(named, i + 1))
                return SymbolIndex.QualifiedName(die) == _name;
        return false;
    }

    // Whether a string attribute is the name (target 0) or suffix target - 1.
    private bool Is(DwarfAttributeValue value, int target)
    {
        var bytes = target == 0 ? _utf8 : _suffixes[target - 1];
        ulong offset;
        if (value.Form == DwarfForm.Strp) offset = value.RawValue;
        else if (value.Form is DwarfForm.Strx or DwarfForm.Strx1 or DwarfForm.Strx2 or DwarfForm.Strx3 or DwarfForm.Strx4) offset = value.Unit.ReadIndexedStringOffset(value.RawValue);
        else return value.StringEquals(bytes);
        var file = value.Unit.File;
        if (offset >= (ulong)file.Sections.Str.Length) return value.StringEquals(bytes); // reports the bad offset
        return _offsets.GetOrAdd(file, f => Occurrences(f.Sections.Str.Span))[target].Contains(offset);
    }

    private HashSet<ulong>[] Occurrences(ReadOnlySpan<byte> strings)
    {
        var result = new HashSet<ulong>[1 + _suffixes.Length];
        for (int t = 0; t < result.Length; t++)
        {
            var bytes = t == 0 ? _utf8 : _suffixes[t - 1];
            var terminated = new byte[bytes.Length + 1];
            bytes.CopyTo(terminated, 0);
            var found = result[t] = [];
            for (int from = 0; from < strings.Length;)
            {
                int hit = strings[from..].IndexOf(terminated);
                if (hit < 0) break;
                found.Add((ulong)(from + hit));
                from += hit + 1;
            }
        }
        return result;
    }

    /// <summary>What one abbreviation's DIEs are to a name query: whether they are subroutines with code, and, for an
    /// instance without names of its own, where its abstract_origin (else specification) reference lies after the code.</summary>
    private readonly record struct InstanceShape(bool IsSubroutine, int ReferenceOffset, DwarfForm ReferenceForm)
    {
        public static InstanceShape Of(DwarfAbbreviation abbrev, DwarfUnit unit)
        {
            if (!SymbolIndex.IsNamedSubroutine(abbrev)) return default;
            if (HasOwnNames(abbrev)) return new(true, -1, default);
            int index = abbrev.IndexOf(DwarfAttribute.AbstractOrigin);
            if (index < 0) index = abbrev.IndexOf(DwarfAttribute.Specification);
            if (index < 0) return new(true, -1, default);
            var form = abbrev.Attributes[index].Form;
            if (form is not (DwarfForm.Ref1 or DwarfForm.Ref2 or DwarfForm.Ref4 or DwarfForm.Ref8 or DwarfForm.RefAddr))
                return new(true, -1, default);
            var ctx = new DieTreeParser.FormContext(unit.AddressSize, unit.OffsetSize, unit.Version);
            int offset = 0;
            for (int i = 0; i < index; i++)
            {
                int size = DieTreeParser.FixedSize(abbrev.Attributes[i].Form, ctx);
                if (size < 0) return new(true, -1, default);
                offset += size;
            }
            return new(true, offset, form);
        }

        // The reference's target as DwarfAttributeValue.RawValue gives it: a section offset.
        public bool TryReadReference(ReadOnlySpan<byte> data, int dieOffset, DwarfUnit unit, out ulong target)
        {
            target = 0;
            int at = dieOffset;
            while (at < data.Length && data[at] >= 0x80) at++; // the abbreviation code (ULEB128)
            at += 1 + ReferenceOffset;
            int size = ReferenceForm switch
            {
                DwarfForm.Ref1 => 1,
                DwarfForm.Ref2 => 2,
                DwarfForm.Ref4 => 4,
                DwarfForm.Ref8 => 8,
                _ => unit.Version <= 2 ? unit.AddressSize : unit.OffsetSize, // DW_FORM_ref_addr
            };
            if (at < 0 || at + size > data.Length) return false;
            var bytes = data.Slice(at, size);
            ulong value = size switch
            {
                1 => bytes[0],
                2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
                4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
                _ => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            };
            target = ReferenceForm == DwarfForm.RefAddr ? value : (ulong)unit.Offset + value;
            return true;
        }
    }
}
