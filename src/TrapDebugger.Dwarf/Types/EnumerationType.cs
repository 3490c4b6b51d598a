namespace TrapDebugger.Dwarf.Types;

/// <summary>A C or C++ enumeration (DW_TAG_enumeration_type).</summary>
public sealed class EnumerationType : DwarfType
{
    /// <inheritdoc/>
    public override DwarfTypeKind Kind => DwarfTypeKind.Enumeration;

    /// <summary>The underlying integer type (DW_AT_type), when the producer gives it.</summary>
    public DwarfType? Underlying { get; init; }

    /// <summary>The named constants, in declaration order.</summary>
    public required IReadOnlyList<Enumerator> Enumerators { get; init; }

    /// <summary>True when the values are signed (from the underlying type, or a negative enumerator).</summary>
    public bool IsSigned => Underlying?.Canonical is BaseType { IsSigned: true } || Enumerators.Any(e => e.Value < 0);

    /// <summary>True for C++ <c>enum class</c> (DW_AT_enum_class).</summary>
    public bool IsScoped { get; init; }

    /// <summary>Returns the enumerator named <paramref name="value"/>'s value, or null.</summary>
    public string? NameOf(long value)
    {
        foreach (var e in Enumerators)
        {
            if (e.Value == value) return e.Name;
        }
        return null;
    }
}

/// <summary>One named constant of an enumeration (DW_TAG_enumerator).</summary>
public readonly record struct Enumerator(string Name, long Value);
