namespace TrapDebugger.Dwarf.Expressions;

/// <summary>Where a value lives, as a DWARF location expression describes it.</summary>
public abstract record DwarfLocation
{
    private DwarfLocation() { }

    /// <summary>The value is in memory at <paramref name="Address"/>.</summary>
    public sealed record Memory(ulong Address) : DwarfLocation;

    /// <summary>The value is in DWARF register <paramref name="Number"/>.</summary>
    public sealed record Register(int Number) : DwarfLocation;

    /// <summary>The value has no location; these are its bytes (DW_OP_implicit_value).</summary>
    public sealed record ImplicitValue(ReadOnlyMemory<byte> Bytes) : DwarfLocation;

    /// <summary>The value has no location; it is this computed number (DW_OP_stack_value).</summary>
    public sealed record StackValue(ulong Value) : DwarfLocation;

    /// <summary>The value is assembled from pieces, each with its own location (DW_OP_piece, DW_OP_bit_piece).</summary>
    public sealed record Composite(IReadOnlyList<DwarfPiece> Pieces) : DwarfLocation;

    /// <summary>The value cannot be found; <paramref name="Reason"/> says why in one sentence.</summary>
    public sealed record Unavailable(string Reason) : DwarfLocation;
}

/// <summary>One piece of a composite location: its location and its size (and offset within that location) in bits.</summary>
/// <param name="Location">Where the piece lives; <see cref="DwarfLocation.Unavailable"/> for an optimized-out piece.</param>
/// <param name="SizeInBits">The piece's size in bits.</param>
/// <param name="OffsetInBits">The bit offset inside <paramref name="Location"/> (DW_OP_bit_piece; 0 for DW_OP_piece).</param>
public readonly record struct DwarfPiece(DwarfLocation Location, ulong SizeInBits, ulong OffsetInBits = 0);

/// <summary>What an expression may ask about the stopped program: registers, memory, frame base, CFA and module facts.</summary>
public interface IDwarfExpressionContext
{
    /// <summary>The value of DWARF register <paramref name="register"/>, or null when it is not available in this frame.</summary>
    ulong? ReadRegister(int register);

    /// <summary>Fills <paramref name="destination"/> from memory at <paramref name="address"/>; false when any byte is unreadable.</summary>
    bool ReadMemory(ulong address, Span<byte> destination);

    /// <summary>The current function's frame base (the value DW_AT_frame_base computes), or null when unknown.</summary>
    ulong? FrameBase { get; }

    /// <summary>The canonical frame address of the frame, or null when unknown.</summary>
    ulong? CanonicalFrameAddress { get; }

    /// <summary>The difference between load and link-time addresses of the module, added to DW_OP_addr and DW_OP_addrx.</summary>
    ulong LoadBias { get; }

    /// <summary>Entry <paramref name="index"/> of the unit's .debug_addr table (already offset by DW_AT_addr_base), or null.</summary>
    ulong? ReadAddressTableEntry(ulong index);

    /// <summary>The byte size and signedness of the base type DIE at unit offset <paramref name="dieOffset"/>, or null when unknown.</summary>
    (int Size, bool Signed)? ResolveBaseType(ulong dieOffset) => null;
}
