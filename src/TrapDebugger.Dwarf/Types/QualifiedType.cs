namespace TrapDebugger.Dwarf.Types;

/// <summary>Which cv-qualifier (or restrict/atomic) a <see cref="QualifiedType"/> adds.</summary>
public enum TypeQualifier { Const, Volatile, Restrict, Atomic }

/// <summary>A cv-qualified type (DW_TAG_const_type, DW_TAG_volatile_type, DW_TAG_restrict_type, DW_TAG_atomic_type).</summary>
public sealed class QualifiedType : DwarfType
{
    /// <inheritdoc/>
    public override DwarfTypeKind Kind => DwarfTypeKind.Qualified;

    /// <summary>The qualifier added.</summary>
    public required TypeQualifier Qualifier { get; init; }

    /// <summary>The qualified type; null means <c>const void</c>.</summary>
    public DwarfType? Target { get; init; }

    /// <inheritdoc/>
    public override ulong ByteSize { get => Target?.ByteSize ?? 0; init { } }
}
