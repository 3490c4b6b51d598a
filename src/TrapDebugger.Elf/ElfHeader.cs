namespace TrapDebugger.Elf;

/// <summary>The ELF64 file header (Elf64_Ehdr) after the identification bytes were checked.</summary>
public readonly record struct ElfHeader(
    ElfFileType Type,                 // e_type
    ushort Machine,                   // e_machine
    ulong Entry,                      // e_entry
    ulong ProgramHeaderOffset,        // e_phoff
    ulong SectionHeaderOffset,        // e_shoff
    ushort ProgramHeaderEntrySize,    // e_phentsize
    uint ProgramHeaderCount,          // e_phnum (or sh_info of section 0 when PN_XNUM)
    ushort SectionHeaderEntrySize,    // e_shentsize
    uint SectionHeaderCount,          // e_shnum (or sh_size of section 0 when e_shnum is 0)
    uint SectionNameTableIndex);      // e_shstrndx (or sh_link of section 0 when SHN_XINDEX)

/// <summary>The kind of ELF file (e_type); unknown values are kept as their number.</summary>
public enum ElfFileType : ushort
{
    None = 0,
    Relocatable = 1,
    Executable = 2,
    SharedObject = 3,
    Core = 4,
}
