namespace TrapDebugger.Dwarf.CallFrames;

/// <summary>An FDE: the unwind instructions for one contiguous range of code.</summary>
public sealed class FrameDescriptionEntry
{
    internal FrameDescriptionEntry(int offset, int length, CommonInformationEntry cie, ulong initialLocation, ulong addressRange,
        EncodedPointer? lsda, int instructionsOffset, int instructionsLength)
    {
        Offset = offset;
        Length = length;
        Cie = cie;
        InitialLocation = initialLocation;
        AddressRange = addressRange;
        Lsda = lsda;
        InstructionsOffset = instructionsOffset;
        InstructionsLength = instructionsLength;
    }

    /// <summary>The section offset of the entry's length field.</summary>
    public int Offset { get; }

    /// <summary>The total size of the entry in bytes, including its length field.</summary>
    public int Length { get; }

    /// <summary>The CIE this FDE refers to.</summary>
    public CommonInformationEntry Cie { get; }

    /// <summary>The first code address covered (pc_begin).</summary>
    public ulong InitialLocation { get; }

    /// <summary>The number of code bytes covered (pc_range).</summary>
    public ulong AddressRange { get; }

    /// <summary>One past the last code address covered.</summary>
    public ulong EndAddress => InitialLocation + AddressRange;

    /// <summary>The language-specific data area ('L' augmentation), or null.</summary>
    public EncodedPointer? Lsda { get; }

    /// <summary>The section offset of the FDE's own instructions.</summary>
    public int InstructionsOffset { get; }

    /// <summary>The byte length of the FDE's own instructions.</summary>
    public int InstructionsLength { get; }

    /// <summary>True when <paramref name="pc"/> is inside [InitialLocation, EndAddress).</summary>
    public bool Contains(ulong pc) => pc >= InitialLocation && pc - InitialLocation < AddressRange;

    /// <summary>A one-line summary for diagnostics.</summary>
    public override string ToString() => $"FDE at 0x{Offset:x} cie=0x{Cie.Offset:x} pc=0x{InitialLocation:x}...0x{EndAddress:x}";
}
