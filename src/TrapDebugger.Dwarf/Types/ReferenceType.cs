namespace TrapDebugger.Dwarf.Types;

/// <summary>A C++ lvalue or rvalue reference (DW_TAG_reference_type / DW_TAG_rvalue_reference_type).</summary>
public sealed class ReferenceType : DwarfType
{
    /// <summary>Creates a reference with the x86-64 pointer size.</summary>
    public ReferenceType() => ByteSize = 8;

    /// <inheritdoc/>
    public override DwarfTypeKind Kind => IsRvalue ? DwarfTypeKind.RvalueReference : DwarfTypeKind.Reference;

    /// <summary>The referenced type.</summary>
    public DwarfType? Referent { get; init; }

    /// <summary>True for <c>T&amp;&amp;</c>.</summary>
    public bool IsRvalue { get; init; }
}
