namespace TrapDebugger.Elf;

/// <summary>What the dynamic section (.dynamic, Elf64_Dyn entries) says about linking.</summary>
/// <param name="Needed">DT_NEEDED: the shared objects this file depends on, in order.</param>
/// <param name="SharedObjectName">DT_SONAME, if present.</param>
/// <param name="DebugEntryAddress">The link-time address of the DT_DEBUG entry's value (where the dynamic linker stores its r_debug pointer), if present.</param>
/// <param name="Entries">Every (d_tag, d_val) pair up to DT_NULL.</param>
public sealed record ElfDynamicInfo(
    IReadOnlyList<string> Needed,
    string? SharedObjectName,
    ulong? DebugEntryAddress,
    IReadOnlyList<(long Tag, ulong Value)> Entries)
{
    public const long DT_NULL = 0, DT_NEEDED = 1, DT_STRTAB = 5, DT_STRSZ = 10, DT_SONAME = 14, DT_DEBUG = 21;

    /// <summary>A file without a dynamic section.</summary>
    public static readonly ElfDynamicInfo Empty = new([], null, null, []);
}
