namespace TrapDebugger.Targets;

/// <summary>One mapping of a process: an address range, its permissions and what backs it (a line of
/// <c>/proc/pid/maps</c>, a core file's segment and <c>NT_FILE</c> entry).</summary>
/// <param name="Start">The first address of the mapping.</param>
/// <param name="End">The address just past the mapping.</param>
/// <param name="Readable">The 'r' permission.</param>
/// <param name="Writable">The 'w' permission.</param>
/// <param name="Executable">The 'x' permission.</param>
/// <param name="Private">The 'p' (copy-on-write private) flag, as opposed to 's' (shared).</param>
/// <param name="Path">The mapped file or pseudo-name ("[stack]", "[heap]", "[vdso]"), empty for anonymous memory.</param>
public sealed record MemoryRegion(ulong Start, ulong End, bool Readable, bool Writable, bool Executable, bool Private, string Path)
{
    /// <summary>The offset in the backing file of <see cref="Start"/> (0 for anonymous memory).</summary>
    public ulong Offset { get; init; }

    /// <summary>The inode of the backing file; 0 for anonymous memory or when unknown.</summary>
    public ulong Inode { get; init; }

    /// <summary>True when <paramref name="address"/> lies inside the mapping.</summary>
    public bool Contains(ulong address) => address >= Start && address < End;

    /// <summary>The permissions as /proc/pid/maps writes them, e.g. "r-xp".</summary>
    public string Permissions => $"{(Readable ? 'r' : '-')}{(Writable ? 'w' : '-')}{(Executable ? 'x' : '-')}{(Private ? 'p' : 's')}";
}

/// <summary>A half-open address range [Start, End).</summary>
/// <param name="Start">The first address.</param>
/// <param name="End">The address just past the range.</param>
public readonly record struct AddressRange(ulong Start, ulong End)
{
    /// <summary>True when <paramref name="address"/> lies inside the range.</summary>
    public bool Contains(ulong address) => address >= Start && address < End;
}
