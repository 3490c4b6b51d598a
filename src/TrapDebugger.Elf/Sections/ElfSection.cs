namespace TrapDebugger.Elf;

/// <summary>One section header (Elf64_Shdr) with its resolved name.</summary>
public sealed record ElfSection(
    int Index,
    string Name,
    ElfSectionType Type,   // sh_type
    ulong Flags,           // sh_flags
    ulong Address,         // sh_addr
    ulong Offset,          // sh_offset
    ulong Size,            // sh_size
    uint Link,             // sh_link
    uint Info,             // sh_info
    ulong Alignment,       // sh_addralign
    ulong EntrySize)       // sh_entsize
{
    public const ulong SHF_WRITE = 0x1;
    public const ulong SHF_ALLOC = 0x2;
    public const ulong SHF_EXECINSTR = 0x4;
    public const ulong SHF_COMPRESSED = 0x800;

    /// <summary>True when the section's bytes are an Elf64_Chdr followed by compressed data.</summary>
    public bool IsCompressed => (Flags & SHF_COMPRESSED) != 0;

    /// <summary>True when the section holds machine code.</summary>
    public bool IsExecutable => (Flags & SHF_EXECINSTR) != 0;

    /// <summary>True when the section occupies memory at run time.</summary>
    public bool IsAllocated => (Flags & SHF_ALLOC) != 0;

    /// <summary>True when the section occupies memory that the program may write.</summary>
    public bool IsWritable => (Flags & SHF_WRITE) != 0;

    /// <summary>True when the section has bytes in the file (everything but SHT_NOBITS).</summary>
    public bool HasFileData => Type != ElfSectionType.NoBits && Type != ElfSectionType.Null;
}

/// <summary>Section types (sh_type); unknown values are kept as their number.</summary>
public enum ElfSectionType : uint
{
    Null = 0,
    ProgBits = 1,
    SymbolTable = 2,
    StringTable = 3,
    Rela = 4,
    Hash = 5,
    Dynamic = 6,
    Note = 7,
    NoBits = 8,
    Rel = 9,
    DynamicSymbolTable = 11,
    InitArray = 14,
    FiniArray = 15,
    SymbolTableIndex = 18,
    GnuHash = 0x6ffffff6,
}
