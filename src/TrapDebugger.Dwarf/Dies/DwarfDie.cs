using TrapDebugger.Elf;

namespace TrapDebugger.Dwarf;

/// <summary>A debugging information entry: a handle (unit + index) that decodes its attributes on demand and walks the tree.</summary>
/// <remarks>Cheap to copy and compare; two handles to the same DIE are equal.</remarks>
public readonly struct DwarfDie : IEquatable<DwarfDie>
{
    internal DwarfDie(DwarfUnit unit, int index)
    {
        Unit = unit;
        Index = index;
    }

    /// <summary>The unit the DIE belongs to.</summary>
    public DwarfUnit Unit { get; }

    /// <summary>The DIE's position in its unit (0 is the root).</summary>
    public int Index { get; }

    private DieEntry Entry => Unit.Entries[Index];

    /// <summary>The offset of the DIE in its section (.debug_info or .debug_types).</summary>
    public long Offset => Entry.Offset;

    /// <summary>The abbreviation declaration the DIE uses.</summary>
    public DwarfAbbreviation Abbreviation => Unit.Abbreviations[Entry.AbbreviationIndex];

    /// <summary>The tag (DW_TAG_*), possibly a value this reader has no name for.</summary>
    public DwarfTag Tag => Abbreviation.Tag;

    /// <summary>True when the DIE may have children.</summary>
    public bool HasChildren => Abbreviation.HasChildren;

    /// <summary>The parent DIE, or null for the root.</summary>
    public DwarfDie? Parent => Entry.Parent >= 0 ? new DwarfDie(Unit, Entry.Parent) : null;

    /// <summary>The next DIE with the same parent, or null.</summary>
    public DwarfDie? NextSibling => Entry.NextSibling > 0 ? new DwarfDie(Unit, Entry.NextSibling) : null;

    /// <summary>The first child, or null.</summary>
    public DwarfDie? FirstChild
    {
        get
        {
            var entries = Unit.Entries;
            return Index + 1 < entries.Length && entries[Index + 1].Parent == Index ? new DwarfDie(Unit, Index + 1) : null;
        }
    }

    /// <summary>The children in order.</summary>
    public IEnumerable<DwarfDie> Children
    {
        get
        {
            for (var c = FirstChild; c is { } d; c = d.NextSibling)
                yield return d;
        }
    }

    /// <summary>Every attribute with its decoded value, in abbreviation order.</summary>
    public IReadOnlyList<DwarfAttributeValue> Attributes
    {
        get
        {
            var specs = Abbreviation.Attributes;
            var values = new DwarfAttributeValue[specs.Length];
            var r = Reader();
            for (int i = 0; i < specs.Length; i++)
                values[i] = DwarfAttributeValue.Read(ref r, Unit, specs[i]);
            return values;
        }
    }

    /// <summary>The attribute <paramref name="name"/> of this DIE (not following references), or null.</summary>
    public DwarfAttributeValue? Find(DwarfAttribute name)
    {
        var abbrev = Abbreviation;
        int target = abbrev.IndexOf(name);
        if (target < 0) return null;
        var r = Reader();
        var ctx = new DieTreeParser.FormContext(Unit.AddressSize, Unit.OffsetSize, Unit.Version);
        for (int i = 0; i < target; i++)
            DieTreeParser.SkipValue(ref r, abbrev.Attributes[i].Form, ctx);
        return DwarfAttributeValue.Read(ref r, Unit, abbrev.Attributes[target]);
    }

    /// <summary>The attribute <paramref name="name"/> from this DIE or, failing that, from the DIEs its DW_AT_specification and DW_AT_abstract_origin lead to.</summary>
    public DwarfAttributeValue? FindRecursively(DwarfAttribute name)
    {
        DwarfDie current = this;
        for (int hops = 0; hops < 16; hops++)
        {
            if (current.Find(name) is { } v) return v;
            var next = current.Find(DwarfAttribute.AbstractOrigin) ?? current.Find(DwarfAttribute.Specification);
            if (next?.AsReference() is not { } d || d == current) return null;
            current = d;
        }
        return null;
    }

    /// <summary>True when the DIE has attribute <paramref name="name"/>.</summary>
    public bool Has(DwarfAttribute name) => Abbreviation.IndexOf(name) >= 0;

    /// <summary>DW_AT_name of this DIE, or null.</summary>
    public string? Name => Find(DwarfAttribute.Name)?.AsString();

    /// <summary>DW_AT_name, following DW_AT_specification and DW_AT_abstract_origin.</summary>
    public string? ShortName => FindRecursively(DwarfAttribute.Name)?.AsString();

    /// <summary>DW_AT_linkage_name (or DW_AT_MIPS_linkage_name), following DW_AT_specification and DW_AT_abstract_origin.</summary>
    public string? LinkageName => (FindRecursively(DwarfAttribute.LinkageName) ?? FindRecursively(DwarfAttribute.MipsLinkageName))?.AsString();

    /// <summary>The DIE a reference attribute <paramref name="name"/> points to, or null.</summary>
    public DwarfDie? Reference(DwarfAttribute name) => Find(name)?.AsReference();

    /// <summary>The address ranges the DIE covers (DW_AT_low_pc/high_pc or DW_AT_ranges); empty when it has none.</summary>
    public IReadOnlyList<DwarfRange> Ranges => DwarfRangeReader.RangesOf(this);

    /// <summary>True when the DIE is a subprogram or inlined subroutine.</summary>
    public bool IsSubroutine => Tag is DwarfTag.Subprogram or DwarfTag.InlinedSubroutine;

    internal ByteReader Reader()
    {
        var r = new ByteReader(Unit.SectionData.Span[..(int)Unit.EndOffset], Unit.SectionName, Entry.Offset);
        r.ReadUleb128();
        return r;
    }

    /// <inheritdoc />
    public bool Equals(DwarfDie other) => ReferenceEquals(Unit, other.Unit) && Index == other.Index;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DwarfDie d && Equals(d);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Unit, Index);

    public static bool operator ==(DwarfDie a, DwarfDie b) => a.Equals(b);
    public static bool operator !=(DwarfDie a, DwarfDie b) => !a.Equals(b);

    /// <inheritdoc />
    public override string ToString() => Unit is null ? "(no DIE)" : $"0x{Offset:x8} {Tag}{(Name is { } n ? " " + n : "")}";
}
