namespace TrapDebugger.Elf;

/// <summary>One program header (Elf64_Phdr).</summary>
public readonly record struct ElfSegment(
    ElfSegmentType Type,  // p_type
    uint Flags,           // p_flags
    ulong Offset,         // p_offset
    ulong VirtualAddress, // p_vaddr
    ulong PhysicalAddress,// p_paddr
    ulong FileSize,       // p_filesz
    ulong MemorySize,     // p_memsz
    ulong Alignment)      // p_align
{
    /// <summary>True when the segment is mapped executable (PF_X).</summary>
    public bool IsExecutable => (Flags & 1) != 0;
}

/// <summary>Program header types (p_type); unknown values are kept as their number.</summary>
public enum ElfSegmentType : uint
{
    Null = 0,
    Load = 1,
    Dynamic = 2,
    Interpreter = 3,
    Note = 4,
    ProgramHeaders = 6,
    Tls = 7,
    GnuEhFrame = 0x6474e550,
    GnuStack = 0x6474e551,
    GnuRelro = 0x6474e552,
}
