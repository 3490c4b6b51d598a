namespace TrapDebugger.Native.Breakpoints;

/// <summary>An address patched with int3: the byte it replaced, how many insertions of the client hold it, and whether the
/// tracer itself needs it (the entry point, the loader's r_brk).</summary>
/// <remarks>This is the record of patched bytes only: which user breakpoints stand at an address is the engine's to know.</remarks>
internal sealed class BreakpointSite(ulong address, byte original)
{
    public ulong Address { get; } = address;
    public byte Original { get; set; } = original;
    public int UserCount { get; set; }
    public bool Internal { get; set; }
    public bool InUse => UserCount > 0 || Internal;
}
