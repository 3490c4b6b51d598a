namespace TrapDebugger.Elf;

/// <summary>One note (Elf64_Nhdr plus name and descriptor) from a SHT_NOTE section or PT_NOTE segment.</summary>
public sealed record ElfNote(string Owner, uint Type, byte[] Descriptor)
{
    /// <summary>The type of a GNU build-id note (NT_GNU_BUILD_ID).</summary>
    public const uint NT_GNU_BUILD_ID = 3;

    /// <summary>True when this note is the GNU build id.</summary>
    public bool IsBuildId => Owner == "GNU" && Type == NT_GNU_BUILD_ID;
}
