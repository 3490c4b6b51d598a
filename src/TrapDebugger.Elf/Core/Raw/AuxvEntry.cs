namespace TrapDebugger.Elf.Core;

/// <summary>One entry of the auxiliary vector (Elf64_auxv_t) as NT_AUXV stores it.</summary>
public readonly record struct AuxvEntry(
    ulong Type,   // a_type (AT_PHDR, AT_ENTRY, …)
    ulong Value)  // a_un.a_val
{
    public const ulong AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_ENTRY = 9,
        AT_EXECFN = 31, AT_SYSINFO_EHDR = 33;
}
