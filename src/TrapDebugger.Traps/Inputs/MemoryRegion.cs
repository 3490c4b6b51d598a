namespace TrapDebugger.Traps;

/// <summary>One mapping of the process, as a line of <c>/proc/pid/maps</c> describes it.</summary>
/// <param name="Start">The first address of the mapping.</param>
/// <param name="End">The address just past the mapping.</param>
/// <param name="Readable">The 'r' permission.</param>
/// <param name="Writable">The 'w' permission.</param>
/// <param name="Executable">The 'x' permission.</param>
/// <param name="Private">The 'p' (copy-on-write private) flag, as opposed to 's' (shared).</param>
/// <param name="Path">The mapped file or pseudo-name ("[stack]", "[heap]"), empty for anonymous memory.</param>
public sealed record MemoryRegion(ulong Start, ulong End, bool Readable, bool Writable, bool Executable, bool Private, string Path)
{
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
