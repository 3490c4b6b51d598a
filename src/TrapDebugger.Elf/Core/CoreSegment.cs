namespace TrapDebugger.Elf.Core;

/// <summary>One PT_LOAD segment of a core: a range of the process's memory and the part of it the core holds.</summary>
/// <param name="Address">The first address (p_vaddr).</param>
/// <param name="MemorySize">The size of the mapping (p_memsz).</param>
/// <param name="FileOffset">Where the held bytes start in the core (p_offset).</param>
/// <param name="FileSize">How many bytes the core holds (p_filesz, cut to what the file really has).</param>
/// <param name="Flags">PF_R, PF_W, PF_X (p_flags).</param>
public readonly record struct CoreSegment(ulong Address, ulong MemorySize, ulong FileOffset, ulong FileSize, uint Flags)
{
    /// <summary>The first address past the segment.</summary>
    public ulong End => Address + MemorySize;

    /// <summary>True when the mapping was writable (PF_W).</summary>
    public bool IsWritable => (Flags & 2) != 0;

    /// <summary>True when the mapping was executable (PF_X).</summary>
    public bool IsExecutable => (Flags & 1) != 0;

    /// <summary>True when <paramref name="address"/> lies in the segment.</summary>
    public bool Contains(ulong address) => address >= Address && address - Address < MemorySize;
}
