namespace TrapDebugger.Dwarf.Types;

/// <summary>The shape of a type in the DWARF type model, one value per family of DW_TAG_*_type.</summary>
public enum DwarfTypeKind
{
    Base,
    Pointer,
    Reference,
    RvalueReference,
    Qualified,
    Typedef,
    Structure,
    Class,
    Union,
    Array,
    Enumeration,
    Subroutine,
    PointerToMember,
    Unspecified,
}

/// <summary>A type described by DWARF: the common surface of base, pointer, composite, array, enum and subroutine types.</summary>
/// <remarks>Types can refer to themselves (a list node pointing at its own type), so composite members are filled in
/// after construction by the builder; everything else is immutable.</remarks>
public abstract class DwarfType
{
    /// <summary>The family this type belongs to.</summary>
    public abstract DwarfTypeKind Kind { get; }

    /// <summary>The DW_AT_name of the type, or null for anonymous and derived types.</summary>
    public string? Name { get; init; }

    /// <summary>The size of a value of this type in bytes (DW_AT_byte_size, or derived from the element type).</summary>
    public virtual ulong ByteSize { get; init; }

    /// <summary>The offset of the DIE that described this type, when it came from DWARF (for identity and caching).</summary>
    public ulong? DieOffset { get; init; }

    /// <summary>The alignment the producer stated (DW_AT_alignment), or null when the type has its natural alignment.</summary>
    public ulong? Alignment { get; init; }

    /// <summary>The alignment of a value of this type in bytes: the stated one, else the natural one of the x86-64 ABI
    /// (a scalar's size, an array's element's, a composite's largest member's or base's).</summary>
    public ulong NaturalAlignment => TypeLayout.AlignmentOf(this, 0);

    /// <summary>The language of the unit that described the type, which decides how its name and values are spelled.</summary>
    public DwarfLanguage Language { get; init; }

    /// <summary>The name as C and C++ spell it, e.g. "const char *" or "int[4]".</summary>
    public string DisplayName => TypeNames.Format(this);

    /// <summary>This type without typedefs and cv-qualifiers: the type that decides how bytes are read.</summary>
    public DwarfType Canonical
    {
        get
        {
            var t = this;
            for (int guard = 0; guard < 64; guard++)
            {
                switch (t)
                {
                    case TypedefType td when td.Target is not null: t = td.Target; break;
                    case QualifiedType q when q.Target is not null: t = q.Target; break;
                    default: return t;
                }
            }
            return t;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => DisplayName;
}
