namespace TrapDebugger.Dwarf.Types;

/// <summary>A named alias of another type (DW_TAG_typedef, also C++ <c>using</c> aliases).</summary>
public sealed class TypedefType : DwarfType
{
    /// <inheritdoc/>
    public override DwarfTypeKind Kind => DwarfTypeKind.Typedef;

    /// <summary>The aliased type; null when the producer left it out (treated as void).</summary>
    public DwarfType? Target { get; init; }

    /// <inheritdoc/>
    public override ulong ByteSize { get => Target?.ByteSize ?? 0; init { } }
}
