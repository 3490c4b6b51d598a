namespace TrapDebugger.Dwarf.CallFrames;

/// <summary>A CIE: the parameters and initial instructions shared by the FDEs that point at it.</summary>
public sealed class CommonInformationEntry
{
    internal CommonInformationEntry(int offset, int length, byte version, string augmentation, int addressSize, ulong codeAlignmentFactor,
        long dataAlignmentFactor, ulong returnAddressRegister, PointerEncoding fdeEncoding, PointerEncoding lsdaEncoding,
        PointerEncoding personalityEncoding, EncodedPointer? personality, bool isSignalFrame, bool hasAugmentationData,
        int instructionsOffset, int instructionsLength)
    {
        Offset = offset;
        Length = length;
        Version = version;
        Augmentation = augmentation;
        AddressSize = addressSize;
        CodeAlignmentFactor = codeAlignmentFactor;
        DataAlignmentFactor = dataAlignmentFactor;
        ReturnAddressRegister = returnAddressRegister;
        FdeEncoding = fdeEncoding;
        LsdaEncoding = lsdaEncoding;
        PersonalityEncoding = personalityEncoding;
        Personality = personality;
        IsSignalFrame = isSignalFrame;
        HasAugmentationData = hasAugmentationData;
        InstructionsOffset = instructionsOffset;
        InstructionsLength = instructionsLength;
    }

    /// <summary>The section offset of the entry's length field.</summary>
    public int Offset { get; }

    /// <summary>The total size of the entry in bytes, including its length field.</summary>
    public int Length { get; }

    /// <summary>The CIE version (1 for .eh_frame; 1, 3 or 4 for .debug_frame).</summary>
    public byte Version { get; }

    /// <summary>The augmentation string, e.g. "zR" or "zPLR".</summary>
    public string Augmentation { get; }

    /// <summary>The size of a target address in bytes.</summary>
    public int AddressSize { get; }

    /// <summary>The factor DW_CFA_advance_loc deltas are multiplied by.</summary>
    public ulong CodeAlignmentFactor { get; }

    /// <summary>The factor DW_CFA_offset-style operands are multiplied by.</summary>
    public long DataAlignmentFactor { get; }

    /// <summary>The DWARF register column that holds the return address (16 on x86-64).</summary>
    public ulong ReturnAddressRegister { get; }

    /// <summary>How FDE addresses are encoded ('R' augmentation; DW_EH_PE_absptr otherwise).</summary>
    public PointerEncoding FdeEncoding { get; }

    /// <summary>How FDE LSDA pointers are encoded ('L' augmentation; omit otherwise).</summary>
    public PointerEncoding LsdaEncoding { get; }

    /// <summary>How the personality routine pointer is encoded ('P' augmentation; omit otherwise).</summary>
    public PointerEncoding PersonalityEncoding { get; }

    /// <summary>The personality routine ('P' augmentation), or null.</summary>
    public EncodedPointer? Personality { get; }

    /// <summary>True for the 'S' augmentation: frames of this CIE are signal trampolines, so the pc is not a return address.</summary>
    public bool IsSignalFrame { get; }

    /// <summary>True when the augmentation starts with 'z' (FDEs carry an augmentation data length).</summary>
    public bool HasAugmentationData { get; }

    /// <summary>The section offset of the initial instructions.</summary>
    public int InstructionsOffset { get; }

    /// <summary>The byte length of the initial instructions.</summary>
    public int InstructionsLength { get; }

    /// <summary>A one-line summary for diagnostics.</summary>
    public override string ToString() => $"CIE at 0x{Offset:x} \"{Augmentation}\" caf={CodeAlignmentFactor} daf={DataAlignmentFactor} ra={ReturnAddressRegister}";
}
