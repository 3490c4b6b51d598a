namespace TrapDebugger.Cores;

/// <summary>One mapping of a process as /proc/PID/maps lists it: range, permissions, and the file and offset behind it.</summary>
/// <param name="Start">The first address.</param>
/// <param name="End">The first address past the mapping.</param>
/// <param name="Readable">r</param>
/// <param name="Writable">w</param>
/// <param name="Executable">x</param>
/// <param name="Shared">s (rather than p)</param>
/// <param name="FileOffset">The offset in the file mapped here.</param>
/// <param name="Path">The file, a pseudo-path such as "[stack]", "[vdso]" or "[heap]", or empty for anonymous memory.</param>
/// <param name="HasPrivateChanges">True when the process wrote to a private file mapping since it was mapped (smaps
/// "Anonymous:" above zero), as the loader does to RELRO data such as .dynamic's DT_DEBUG: the file no longer shows it.</param>
public sealed record ProcessMapping(ulong Start, ulong End, bool Readable, bool Writable, bool Executable, bool Shared, ulong FileOffset, string Path, bool HasPrivateChanges = false)
{
    /// <summary>True when a file on disk backs the mapping.</summary>
    public bool IsFileBacked => Path.StartsWith('/');

    /// <summary>PF_R | PF_W | PF_X as a PT_LOAD records them.</summary>
    public uint SegmentFlags => (Readable ? 4u : 0) | (Writable ? 2u : 0) | (Executable ? 1u : 0);
}
