namespace TrapDebugger.Dwarf.Types;

/// <summary>A type DWARF names without describing (DW_TAG_unspecified_type): <c>void</c>, <c>decltype(nullptr)</c>.</summary>
public sealed class UnspecifiedType : DwarfType
{
    /// <summary>The shared <c>void</c> type.</summary>
    public static readonly UnspecifiedType Void = new() { Name = "void" };

    /// <inheritdoc/>
    public override DwarfTypeKind Kind => DwarfTypeKind.Unspecified;
}

/// <summary>A C++ pointer to member (DW_TAG_ptr_to_member_type).</summary>
public sealed class PointerToMemberType : DwarfType
{
    /// <inheritdoc/>
    public override DwarfTypeKind Kind => DwarfTypeKind.PointerToMember;

    /// <summary>The type of the member pointed to.</summary>
    public DwarfType? MemberType { get; init; }

    /// <summary>The class containing the member.</summary>
    public DwarfType? ContainingType { get; init; }
}
