namespace TrapDebugger.Dwarf.Types;

/// <summary>A function type, the target of a function pointer (DW_TAG_subroutine_type).</summary>
public sealed class SubroutineType : DwarfType
{
    /// <inheritdoc/>
    public override DwarfTypeKind Kind => DwarfTypeKind.Subroutine;

    /// <summary>The return type, or null for void.</summary>
    public DwarfType? ReturnType { get; init; }

    /// <summary>The parameter types, in order.</summary>
    public required IReadOnlyList<DwarfType?> Parameters { get; init; }

    /// <summary>True when the function takes <c>...</c>.</summary>
    public bool IsVariadic { get; init; }
}
