namespace TrapDebugger.Dwarf.Types;

/// <summary>A pointer to another type (DW_TAG_pointer_type); a null <see cref="Pointee"/> is <c>void *</c>.</summary>
public sealed class PointerType : DwarfType
{
    /// <summary>Creates a pointer with the x86-64 pointer size unless the DIE says otherwise.</summary>
    public PointerType() => ByteSize = 8;

    /// <inheritdoc/>
    public override DwarfTypeKind Kind => DwarfTypeKind.Pointer;

    private DwarfType? _pointee;

    /// <summary>The type pointed to, or null for void.</summary>
    public DwarfType? Pointee { get => _pointee; init => _pointee = value; }

    /// <summary>Sets the pointee once it has been read: the reader hands the pointer out first, so a struct reached
    /// through it whose members point back at it gets this same pointer.</summary>
    internal void ResolvePointee(DwarfType? pointee) => _pointee = pointee;
}
